"""Worked examples of the standardised figures from the literature, as plain data: each a list of
strata and the published results. The reference (tests/python/test_standardisation.py) and a dbt
unit test of the build check their method against them.

Source: the R package PHEindicatormethods of Public Health England (now UKHSA), repository
ukhsa-collaboration/PHEindicatormethods, commit 093fd288d8f8949dbcfbed70049dbbf385b6141d, file
tests/testthat/testdata_DSR_ISR.xlsx: the strata from sheets `testdata_multiarea` and
`testdata_multiarea_isr` (area `testdata_small` and `testdata_tiny`) and `refdata`, the results
from sheets `testresults_DSR` (row 7: testdata_small, dsr per 100000) and `testresults_ISR`
(row 10: testdata_tiny, indirectly standardised ratio x 1), which the package's tests
(tests/testthat/testDSRs.R, testISRatios.R) expect from calculate_dsr and calculate_ISRatio.
The nineteen 5-year age bands are 0-4 ... 85-89 and 90+ (the sheets label 55-59 "55-69"); the
standard population is the package's esp2013 (data-raw/LoadTestdata.R).

How PHE's limits differ from ours: calculate_dsr takes the count's limits O_L, O_U from Byar's
approximation (R/DSR.R, byars_lower / byars_upper), where the spec takes them exact; for the
ratio PHE is exact below 10 events (R/ISRatio.R: qchisq), as for the example here.
"""

from __future__ import annotations

# European Standard Population 2013, the nineteen 5-year bands (0-4 ... 85-89, 90+).
ESP2013_5Y = [5000, 5500, 5500, 5500, 6000, 6000, 6500, 7000, 7000, 7000, 7000, 6500, 6000, 5500, 5000,
              4000, 2500, 1500, 1000]

# Directly standardised rate, area testdata_small: per stratum the observed events, the
# population and the standard population; per 100,000.
DSR_EXAMPLE = {
    "observed": [12, 4, 3, 2, 3, 4, 8, 2, 2, 3, 4, 5, 6, 8, 5, 6, 5, 5, 4],  # O = 91
    "population": [636, 558, 609, 543, 384, 594, 669, 843, 660, 576, 606, 522, 426, 273, 300, 288, 153, 123,
                   207],
    "standard_population": ESP2013_5Y,
    "multiplier": 100_000,
    "rate": 1103.212025300104,
    "lower": 877.455767536709,  # Dobson, with Byar's O_L
    "upper": 1367.0882227251795,  # Dobson, with Byar's O_U
}

# Indirectly standardised ratio, area testdata_tiny: per stratum the observed events, the
# population, and the reference's events and population (the reference rate is their ratio).
# The sheet leaves the 10-14 stratum of testdata_tiny empty (no events, no population); its
# reference count is 0, so whatever its population it adds nothing to E: here 609, the
# population of the same stratum in sheet testdata_multiarea.
ISR_EXAMPLE = {
    "observed": [0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 1, 2, 3],  # O = 9
    "population": [636, 558, 609, 543, 384, 594, 669, 843, 660, 576, 606, 522, 426, 273, 300, 288, 153, 123,
                   207],
    "reference_observed": [10303, 2824, 0, 3615, 3641, 3490, 3789, 3213, 3031, 2771, 3089, 3490, 3595, 4745,
                           5514, 7125, 5694, 6210, 5757],
    "reference_population": [50520, 57173, 60213, 54659, 44345, 50128, 62163, 67423, 62899, 55463, 60479,
                             49974, 44140, 40888, 37239, 30819, 18136, 15325, 13918],
    "expected": 835.88356123117433,
    "ratio": 0.010767049882813684,
    "lower": 0.0049233808250957762,  # exact (O < 10)
    "upper": 0.02043921455549973,  # exact
}
