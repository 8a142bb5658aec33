"""infra/template.yaml as CloudFormation makes it for one edition (the Edition parameter):
the KeepsHistory condition decided, its resources and outputs kept or dropped, its !If
branches chosen and AWS::NoValue left out. Other conditions stay as they are."""

from __future__ import annotations

from typing import Any

CONDITION = "KeepsHistory"
NO_VALUE = {"Ref": "AWS::NoValue"}


def for_edition(template: dict, edition: str) -> dict:
    keeps = edition == "full"

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            branch = node.get("Fn::If")
            if len(node) == 1 and isinstance(branch, list) and branch[0] == CONDITION:
                return resolve(branch[1] if keeps else branch[2])
            resolved = {key: resolve(value) for key, value in node.items()}
            return {key: value for key, value in resolved.items() if value != NO_VALUE}
        if isinstance(node, list):
            return [v for v in (resolve(item) for item in node) if v != NO_VALUE]
        return node

    made = resolve(template)
    for section in ("Resources", "Outputs"):
        kept = {}
        for name, value in made[section].items():
            if value.get("Condition") == CONDITION:
                if not keeps:
                    continue
                value = {key: v for key, v in value.items() if key != "Condition"}  # decided
            kept[name] = value
        made[section] = kept
    return made
