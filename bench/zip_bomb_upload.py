"""Peak memory and time of the upload checks on a hostile .docx (issue 16 item 12).

A 1 MB upload whose ``word/document.xml`` inflates to 1 GiB while the zip headers claim
2 KB. Run: ``.venv/bin/python bench/zip_bomb_upload.py`` (builds the file in a temporary
directory, then checks it in a fresh process so the peak resident memory is the upload's).
"""

from __future__ import annotations

import io
import json
import struct
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

INFLATED = 1024 * 1024 * 1024
CLAIMED = 2048


def build_bomb(path: Path) -> None:
    from docx import Document

    plain = io.BytesIO()
    Document().save(plain)
    with zipfile.ZipFile(io.BytesIO(plain.getvalue())) as src, \
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        for info in src.infolist():
            if info.filename != "word/document.xml":
                out.writestr(info, src.read(info))
                continue
            head = src.read(info).split(b"<w:body>")[0] + b"<w:body><w:p><w:r><w:t>"
            target = zipfile.ZipInfo("word/document.xml", date_time=info.date_time)
            target.compress_type = zipfile.ZIP_DEFLATED
            with out.open(target, "w") as member:
                member.write(head)
                chunk = b" " * (1024 * 1024)
                for _ in range(INFLATED // len(chunk)):
                    member.write(chunk)
                member.write(b"</w:t></w:r></w:p></w:body></w:document>")
    # Make both headers lie about the inflated size.
    data = bytearray(path.read_bytes())
    name = b"word/document.xml"
    for signature, size_at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (at := data.find(signature, start)) >= 0:
            name_len_at = 26 if signature == b"PK\x03\x04" else 28
            name_at = 30 if signature == b"PK\x03\x04" else 46
            length = struct.unpack_from("<H", data, at + name_len_at)[0]
            if bytes(data[at + name_at:at + name_at + length]) == name:
                struct.pack_into("<I", data, at + size_at, CLAIMED)
            start = at + 4
    path.write_bytes(bytes(data))


CHECK = r"""
import json, resource, sys, time
from documents import check_template
data = open(sys.argv[1], "rb").read()
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
problems = check_template(data)
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"upload_bytes": len(data), "seconds": round(seconds, 3),
                  "extra_peak_mb": round((peak - base) / 1024, 1),
                  "problems": [p.code + ": " + p.message for p in problems]}))
"""


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bomb.docx"
        build_bomb(path)
        result = subprocess.run([sys.executable, "-c", CHECK, str(path)], capture_output=True,
                                text=True, check=False)
        if result.returncode:
            print(result.stderr, file=sys.stderr)
            raise SystemExit(result.returncode)
        print(json.dumps(json.loads(result.stdout), indent=2))


if __name__ == "__main__":
    main()
