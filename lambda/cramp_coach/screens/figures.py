"""The stick figure for each relief technique, as AVG path data (poses.json)."""

from __future__ import annotations

from .apl import data_file

POSES = "poses.json"
PARTS = ("props", "body", "limbs", "muscle", "motion", "head")


def technique_ids() -> list[str]:
    return sorted(data_file(POSES)["techniques"])


def pose(technique_id: str) -> dict[str, str] | None:
    """The figure's paths for a technique: props, body, limbs, muscle, motion, head.

    None for a technique without a drawing (a new content item): the screen then shows the
    words without a figure rather than a wrong one."""
    poses = data_file(POSES)
    technique = poses["techniques"].get(technique_id)
    if technique is None:
        return None
    body = poses["bodies"][technique["body"]]
    return {
        "props": body["props"],
        "body": body["body"],
        "limbs": technique.get("limbs", ""),
        "muscle": technique.get("muscle", ""),
        "motion": technique.get("motion", ""),
        "head": body["head"],
    }


def size() -> int:
    return int(data_file(POSES)["viewport"])
