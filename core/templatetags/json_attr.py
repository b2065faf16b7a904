"""``{{ value|json_attr }}``: a value as JSON in an HTML attribute, ``data-x="{{ v|json_attr }}"``.

The JSON text is returned unmarked, so autoescaping makes it safe inside a quoted attribute;
scripts read it back with ``JSON.parse(element.dataset.x)``. For a whole page's data, use
``json_script`` instead.
"""

import json
from typing import Any

from django import template

register = template.Library()


@register.filter
def json_attr(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))
