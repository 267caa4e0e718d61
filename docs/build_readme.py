"""Joins docs/readme/*.md into README.md, in name order (00-intro first, 99-development last)."""

from __future__ import annotations

from pathlib import Path

ORDER = ["00-intro", "foundation", "security", "casework", "calendars", "documents", "sms",
         "99-development"]


def main() -> None:
    here = Path(__file__).resolve().parent / "readme"
    parts = {p.stem: p.read_text().strip() for p in here.glob("*.md")}
    names = [n for n in ORDER if n in parts] + sorted(set(parts) - set(ORDER))
    text = "\n\n".join(parts[n] for n in names) + "\n"
    (here.parent.parent / "README.md").write_text(text)
    print(f"README.md from {', '.join(names)}")


if __name__ == "__main__":
    main()
