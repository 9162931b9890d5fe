"""The whole-publication disclosure auditor (issue #10): read the published database as an
outsider would, derive an interval for every withheld figure from every linear relation the
outsider knows, and judge whether a small cell says more than its flag."""
