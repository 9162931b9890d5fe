"""The one error of the publication: the working database cannot be published."""


class PublishError(Exception):
    """The working database cannot be published (a table is missing or a check failed)."""
