"""Named archives: published recordings a user can replay by name.

`zimmerman-2023` is the January 2023 snapshot of the study this project grows from. It resolves
to the local data mirror; without one, its 11 response files are downloaded from the study's
public repository at a pinned commit, verified against pinned sha256 digests, and cached.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import requests

from dlt_pipeline.github.archive import ArchiveError
from dlt_pipeline.github.client import connection_reason
from mlops_atlas.paths import CACHE_DIR, mirror_root


@dataclass(frozen=True)
class NamedArchive:
    name: str
    mirror_folder: str
    source_url: str
    recorded_at: str
    #: (response file, request URL, sha256 of the file)
    files: tuple[tuple[str, str, str], ...]


_SEARCH = (
    "https://api.github.com/search/repositories?q=topic:{topic}&per_page=100{extra}&page={page}"
)
_MLOPS_SHA = {
    1: "87016f8a8faef253d03a2bb9db4b8722c4d4bbd76275bb18b896dc86929f17d4",
    2: "2a34d17f2eb84681a1cc7b84ec8135a19d4cf09225195f05ff1ffef37cd36495",
    3: "2fd764d20852f36c7b489d500d4e8803d91d7f5d32805ea17b57cb7077ddd5ef",
    4: "bd67ed0ff491ab22a0f7ced50ab509a21f71bf2b3ddd94ab47a4f2d8c381a071",
    5: "e5f8bd685c0e5d4a17809884d3a10aa2dbdff3cfe4d6de7f29678c6dc1bdfc35",
    6: "3578ec0e17f1e320b9d958df8b761a8ac32998da934c0d958bf60879e90b0157",
    7: "1f2f7355943bef62ea17382038f426d6ab502335fa5ad14143e2d27bbb898e91",
    8: "dbe61fa400bbac4657354822608f5ce9aaff7d7573df4c79fe18b76d5b26692a",
    9: "469fd131689d97887ec6aff572adbe24698c45eec2c52f16143b631f61cf0d95",
    10: "201e7326284d9a0ebb7f8e2e665f691e11297fd75b44c053fba94a6dcfc64d81",
}

ZIMMERMAN_2023 = NamedArchive(
    name="zimmerman-2023",
    mirror_folder="snapshots/github-2023-01-18",
    source_url=(
        "https://raw.githubusercontent.com/isabelizimm/mlops-metaanalysis/"
        "f63c29c7238cfadd970fe73c2104a5d67b4ed6d1/data/repos/{file}"
    ),
    recorded_at="2023-01-18T23:13:20-05:00",
    files=(
        *(
            (f"topic_mlops_pg_{page}.json", _SEARCH.format(topic="mlops", extra="", page=page), sha)
            for page, sha in _MLOPS_SHA.items()
        ),
        (
            "topic_modelmanagement_pg_1.json",
            _SEARCH.format(topic="model-management", extra="&NOTtopic:mlops", page=1),
            "fbfc83f2a239188a79e8c741ca03ca74da10ba59b2ebd31500cc6d7e731a2ec9",
        ),
    ),
)

NAMED_ARCHIVES = {ZIMMERMAN_2023.name: ZIMMERMAN_2023}


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def download_named_archive(
    archive: NamedArchive, cache_dir: Path, *, source_url: str | None = None, timeout: float = 60.0
) -> Path:
    """Download (or reuse) a verified copy in `cache_dir/<name>/`; refuse any digest mismatch."""
    root = cache_dir / archive.name
    template = source_url or archive.source_url
    for file_name, _, digest in archive.files:
        target = root / "responses" / file_name
        if not target.exists() or _sha256(target) != digest:
            url = template.format(file=file_name)
            response = requests.get(url, timeout=timeout)
            if response.status_code != 200:
                raise ArchiveError(
                    f"download of {url} for archive {archive.name} answered HTTP {response.status_code}"
                )
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_suffix(".part")
            partial.write_bytes(response.content)
            actual = _sha256(partial)
            if actual != digest:
                partial.unlink()
                raise ArchiveError(
                    f"archive {archive.name}: {url} has sha256 {actual}, expected {digest}; refusing it"
                )
            partial.replace(target)
    lines = [
        json.dumps(
            {
                "url": url,
                "method": "GET",
                "status": 200,
                "headers": {},
                "body": f"responses/{file_name}",
                "recorded_at": archive.recorded_at,
            }
        )
        for file_name, url, _ in archive.files
    ]
    (root / "manifest.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def resolve_archive(name_or_path: str, *, cache_dir: Path = CACHE_DIR) -> tuple[Path, str]:
    """An archive folder and its name, for a path or a named archive (mirror first, else download)."""
    named = NAMED_ARCHIVES.get(name_or_path)
    if named is None:
        path = Path(name_or_path)
        if not (path / "manifest.jsonl").is_file():
            known = ", ".join(sorted(NAMED_ARCHIVES))
            raise ArchiveError(
                f"{name_or_path}: not an archive folder (no manifest.jsonl) nor a named archive ({known})"
            )
        return path, path.resolve().name
    mirror = mirror_root()
    if mirror is not None and (mirror / named.mirror_folder / "manifest.jsonl").is_file():
        folder = mirror / named.mirror_folder
        for file_name, _, digest in named.files:
            if _sha256(folder / "responses" / file_name) != digest:
                raise ArchiveError(
                    f"archive {named.name}: {folder / 'responses' / file_name} fails its sha256 check"
                )
        return folder, named.name
    try:
        return download_named_archive(named, cache_dir), named.name
    except requests.RequestException as exc:
        where = (
            f"the data mirror {mirror} has no {named.mirror_folder}"
            if mirror is not None
            else "no data mirror was found (ATLAS_MIRROR is not set and ../shared/data does not exist)"
        )
        raise ArchiveError(
            f"archive {named.name}: {where}, and downloading it failed "
            f"({type(exc).__name__}: {connection_reason(exc)}); set ATLAS_MIRROR to the data "
            "mirror, or connect to the internet"
        ) from exc
