{#- The date of a raw date column, given as text (docs/row_rules.md): YYYY-MM-DD, a date-time
    whose date is taken, a date-time with a time zone converted to the calendar date in Brussels
    (23:30 UTC on 29 February is 1 March in Belgium), and DD/MM/YYYY when the extract is written
    so (var raw_date_format, set by the run command from its structural check). Anything else
    gives null, and the row checks quarantine the row. The cheap tests (length, like) come first:
    at full scale this runs on every claim line. -#}
{% macro parse_date(text_expression) -%}
    {{ return(adapter.dispatch('parse_date', 'atlas')(text_expression, var('raw_date_format') == 'DD/MM/YYYY')) }}
{%- endmacro %}

{% macro zoned_date_time_pattern() -%}
    [0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?(Z|[+-][0-9]{2}(:?[0-9]{2})?)
{%- endmacro %}

{% macro default__parse_date(text_expression, day_first) -%}
    case
        when
            length({{ text_expression }}) > 16
            and {{ atlas.default__matches_pattern(text_expression, zoned_date_time_pattern()) }}
            then cast(timezone('Europe/Brussels', try_cast({{ text_expression }} as timestamptz)) as date)
        {%- if day_first %}
        when {{ text_expression }} like '%/%'
            then cast(try_strptime({{ text_expression }}, '%d/%m/%Y') as date)
        {%- endif %}
        else try_cast({{ text_expression }} as date)
    end
{%- endmacro %}

{% macro spark__parse_date(text_expression, day_first) -%}
    case
        when {{ atlas.spark__matches_pattern(text_expression, zoned_date_time_pattern()) }}
            {#- The instant, shown on the session's clock, shown on UTC's, then on Brussels': its
                date there, whatever the session's time zone. -#}
            then to_date(from_utc_timestamp(
                to_utc_timestamp(try_cast({{ text_expression }} as timestamp), current_timezone()), 'Europe/Brussels'
            ))
        {%- if day_first %}
        when {{ text_expression }} like '%/%'
            then to_date(try_to_timestamp({{ text_expression }}, 'd/M/yyyy'))
        {%- endif %}
        else try_cast({{ text_expression }} as date)
    end
{%- endmacro %}
