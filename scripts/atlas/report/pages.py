"""Rendering the pages from the templates in templates/, and the static files in static/, both read
from the installed package with importlib.resources."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

from jinja2 import Environment, FunctionLoader, StrictUndefined
from markupsafe import Markup

from atlas.report.formatting import esc
from atlas.report.views import IndexPage, IndicatorPage

STATIC_FILES = ("report.css", "report.js")


@dataclass(frozen=True)
class Footer:
    """The same on every page: where the data come from and when the report was written."""
    source_note: str
    database_name: str
    generated: str


def static_text(name: str) -> str:
    return resources.files(__package__).joinpath("static", name).read_text(encoding="utf-8")


def template_source(name: str) -> str:
    return resources.files(__package__).joinpath("templates", name).read_text(encoding="utf-8")


def escape_output(value: object) -> Markup:
    """Every {{ value }} of a template goes through here: markup made by the report (a chart, a macro)
    passes as it is, any other value is escaped as text, None as nothing. html.escape rather than
    Jinja's own escaping, so that quotes come out as &quot; and &#x27; as they always have."""
    return value if isinstance(value, Markup) else Markup(esc(value))


@cache
def environment() -> Environment:
    return Environment(loader=FunctionLoader(template_source), autoescape=True, finalize=escape_output,
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)


def render_indicator_page(page: IndicatorPage, footer: Footer) -> str:
    return environment().get_template("indicator.html").render(page=page, footer=footer)


def render_index_page(page: IndexPage, footer: Footer) -> str:
    return environment().get_template("index.html").render(page=page, footer=footer)
