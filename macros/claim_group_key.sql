{#- The columns that make claim lines one group (the same service billed again, or corrected):
    person, day, code, provider and billing practice; each prefixed with relation when given. -#}
{% macro claim_group_key(relation=none) -%}
    {%- set columns = ['person_id', 'service_date', 'nomenclature_code', 'provider_profession',
                       'provider_qualification', 'billing_practice_id'] -%}
    {%- set qualified = [] -%}
    {%- for column in columns -%}
        {%- do qualified.append(column if relation is none else relation ~ '.' ~ column) -%}
    {%- endfor -%}
    {{ return(qualified) }}
{%- endmacro %}
