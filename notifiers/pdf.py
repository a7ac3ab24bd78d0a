"""Word to PDF with LibreOffice headless (``soffice --headless --convert-to pdf``).

Each conversion gets its own temporary LibreOffice profile: two conversions at once (the CLI and
a test, two CLI runs) would otherwise fight over the user's profile lock and one would silently
produce nothing.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from rules import TiepdanError

TIMEOUT_SECONDS = 180


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def docx_to_pdf(docx: bytes, *, name: str = "thong-bao") -> bytes:
    exe = soffice()
    if exe is None:
        raise TiepdanError("cần LibreOffice (lệnh soffice) để xuất PDF; hãy cài libreoffice-writer")
    with tempfile.TemporaryDirectory(prefix="tiepdan-pdf-") as tmp:
        work = Path(tmp)
        source = work / f"{name}.docx"
        source.write_bytes(docx)
        profile = (work / "profile").as_uri()
        try:
            done = subprocess.run(
                [
                    exe,
                    f"-env:UserInstallation={profile}",
                    "--headless",
                    "--norestore",
                    "--convert-to",
                    "pdf",
                    "--outdir",
                    str(work),
                    str(source),
                ],
                capture_output=True,
                text=True,
                timeout=TIMEOUT_SECONDS,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise TiepdanError(f"LibreOffice không chuyển xong sang PDF sau {TIMEOUT_SECONDS} giây") from None
        target = work / f"{name}.pdf"
        if done.returncode != 0 or not target.exists():
            detail = (done.stderr or done.stdout).strip().splitlines()
            raise TiepdanError(
                "LibreOffice không chuyển được sang PDF" + (f": {detail[-1]}" if detail else "")
            )
        return target.read_bytes()
