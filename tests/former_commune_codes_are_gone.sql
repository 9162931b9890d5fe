{#- A former REFNIS code that is still a commune of geo_communes would move that commune's
    people into another one (int_beneficiary_years_located reads geo_commune_predecessors first). -#}
with

predecessors as (

    select * from {{ ref('geo_commune_predecessors') }}

),

communes as (

    select * from {{ ref('geo_communes') }}

),

final as (

    select predecessors.predecessor_code
    from predecessors
    inner join communes
        on predecessors.predecessor_code = communes.commune_code

)

select * from final
