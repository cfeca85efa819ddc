"""Text from data or the address made safe for Streamlit's markdown."""

from __future__ import annotations

import re

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-!|<>~$])")


def md_escape(text: object) -> str:
    """Text from data or the URL made safe for st.markdown/st.warning: markdown and HTML characters escaped."""
    return _MD_SPECIAL.sub(r"\\\1", str(text))
