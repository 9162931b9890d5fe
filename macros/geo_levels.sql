{#
    The geographic levels of the Atlas, coarsest first, each with the column of the person's
    domicile that codes it (none for the country). Returned as a list, for the macros that roll
    up to every level or walk the levels' chain of sums.
#}
{% macro geo_levels() %}
    {{ return([
        ('country', none),
        ('region', 'region_code'),
        ('province', 'province_code'),
        ('arrondissement', 'arrondissement_code'),
        ('commune', 'commune_code'),
        ('statistical_sector', 'sector_code'),
    ]) }}
{% endmacro %}
