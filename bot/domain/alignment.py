"""Skills alignment: the frameworks a credential may align to, and how Open Badges 3.0 names them.

OB 3.0's AlignmentTargetType lists CTDL among its values; the other frameworks have no value of their
own there, so they take the extension form the schema allows (`ext:` and a name).
"""
from __future__ import annotations

import enum
import re

ONET_CODE = re.compile(r"^\d{2}-\d{4}\.\d{2}$")  # O*NET-SOC, e.g. 15-2051.00


class Framework(enum.StrEnum):
    ESCO = "ESCO"
    ONET = "O*NET"
    LIGHTCAST = "Lightcast"
    CTDL = "CTDL"
    OTHER = "other"

    @classmethod
    def parse(cls, text: object) -> Framework:
        """The framework named in a catalog, in any case ("esco", "onet" and "O*NET" alike)."""
        if isinstance(text, str):
            wanted = text.strip().lower().replace("*", "")
            for framework in cls:
                if framework.value.lower().replace("*", "") == wanted:
                    return framework
        raise ValueError(f"{text!r} is not a framework; use one of {', '.join(f.value for f in cls)}")

    @property
    def title(self) -> str:
        """The framework's full name: OB 3.0 targetFramework, and what public pages show."""
        return _TITLES[self]

    @property
    def target_type(self) -> str | None:
        """OB 3.0 Alignment.targetType (AlignmentTargetType or its `ext:` extension); None for other."""
        return _TARGET_TYPES[self]


_TITLES = {
    Framework.ESCO: "ESCO (European Skills, Competences, Qualifications and Occupations)",
    Framework.ONET: "O*NET-SOC",
    Framework.LIGHTCAST: "Lightcast Open Skills",
    Framework.CTDL: "Credential Transparency Description Language",
    Framework.OTHER: "Other",
}
_TARGET_TYPES = {
    Framework.ESCO: "ext:ESCO",
    Framework.ONET: "ext:ONET",
    Framework.LIGHTCAST: "ext:LightcastOpenSkills",
    Framework.CTDL: "CTDL",
    Framework.OTHER: None,
}


def code_problem(framework: Framework, code: str) -> str | None:
    """What is wrong with a code in its framework, where the framework's codes have a known shape."""
    if framework is Framework.ONET and not ONET_CODE.match(code):
        return f"{code!r} is not an O*NET-SOC code such as 15-2051.00"
    return None
