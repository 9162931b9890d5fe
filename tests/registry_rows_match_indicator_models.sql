{#- Every registry row needs its one-line model and every indicator model its registry row.
    scripts/generate_indicator_models.py writes the models from the registry (the run command runs
    it before its build): this fails when dbt is run on a registry edited since. -#}
{%- set indicator_models = [] -%}
{%- for node in graph.nodes.values() -%}
    {%- if node.resource_type == 'model' and 'indicator' in node.config.tags -%}
        {%- do indicator_models.append(node.name) -%}
    {%- endif -%}
{%- endfor %}

with

registry as (

    select * from {{ ref('indicator_registry') }}

),

indicator_models as (
    {% for model_name in indicator_models %}
        select '{{ model_name }}' as model_name
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

final as (

    select
        registry.indicator_code,
        'registry row without a model' as problem
    from registry
    left join indicator_models
        on registry.indicator_code = indicator_models.model_name
    where indicator_models.model_name is null

    union all

    select
        indicator_models.model_name as indicator_code,
        'indicator model without a registry row' as problem
    from indicator_models
    left join registry
        on indicator_models.model_name = registry.indicator_code
    where registry.indicator_code is null

)

select * from final
