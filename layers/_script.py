"""Map elements whose script is plain text built in Python.

branca's ``MacroElement.render`` compiles the rendered script, data included,
as a Jinja template again, and streamlit-folium renders each element's
``script`` macro once more: with hundreds of kilobytes of data that is most of
the cost of a rerun. A :class:`ScriptElement` builds its script with string
joins only (:meth:`ScriptElement.script_text`), and both folium and
streamlit-folium take that text as is.
"""

from __future__ import annotations

import folium
import orjson
from branca.element import Element, MacroElement
from folium.elements import ElementAddToElement
from jinja2 import Template

from compat import script_macro, template_macros

__all__ = ["Group", "ScriptElement", "js_json"]


def js_json(obj, option: int = 0) -> str:
    """``obj`` as JSON for a script: "<" and ">" are written ``\\u003c`` and ``\\u003e``, so
    that no text from data can end the surrounding ``<script>`` or open a comment, and
    no markup from data appears in the page source as such."""
    text = orjson.dumps(obj, option=option | orjson.OPT_SERIALIZE_NUMPY).decode("utf-8")
    return text.replace("<", "\\u003c").replace(">", "\\u003e")


class _Text(Element):
    """Script text added to the figure as is (not compiled as a template)."""

    _template = Template("{{ this.text }}")

    def __init__(self, text: str):
        super().__init__()
        self.text = text


def _render_script(element: MacroElement, kwargs: dict) -> None:
    """MacroElement.render for a template with only a script macro, adding the
    rendered text to the figure as is (MacroElement.render compiles it as a
    Jinja template first: about half a millisecond per element)."""
    script = script_macro(element._template)
    element.get_root().script.add_child(_Text(script(element, kwargs)), name=element.get_name())
    for child in element._children.values():
        child.render(**kwargs)


def _script_only(template: Template) -> bool:
    macros = template_macros(template)
    return "script" in macros and "header" not in macros and "html" not in macros


class _AddTo(ElementAddToElement):
    """folium's ElementAddToElement, rendered without compiling its script."""

    def render(self, **kwargs):
        _render_script(self, kwargs)


class Group(folium.FeatureGroup):
    """A folium.FeatureGroup that renders the same script without compiling it
    as a template (folium.Layer.render and MacroElement.render, minus two Jinja
    compilations per group and rerun)."""

    def render(self, **kwargs):
        if self.includes or not _script_only(self._template):  # not the case folium 0.20 has
            return super().render(**kwargs)
        if self.show:
            self.add_child(_AddTo(element_name=self.get_name(), element_parent_name=self._parent.get_name()),
                           name=self.get_name() + "_add")
        _render_script(self, kwargs)


class ScriptElement(MacroElement):
    """A MacroElement whose only output is :meth:`script_text`.

    Subclasses set ``self._name`` and implement :meth:`script_text`, which
    may use ``self._parent.get_name()`` for the layer they draw into.
    """

    _template = Template("{% macro script(this, kwargs) %}{{ this.script_text() }}{% endmacro %}")

    def script_text(self) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def render(self, **kwargs):
        """As MacroElement.render, without compiling the script as a template."""
        _render_script(self, kwargs)
