"""`python -m codegen [--check]`: regenerate the generated files, or fail if regenerating would change any."""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from codegen import render
from codegen.model import load

ROOT = Path(__file__).resolve().parent.parent
LOCK = "codegen.lock.json"
GENERATOR_FILES = ("model.py", "render.py", "samples.py", "__main__.py", "overrides.toml")


def _outputs() -> dict[str, str]:
    facts = load()
    generator = hashlib.sha256()
    for name in GENERATOR_FILES:
        generator.update((Path(__file__).parent / name).read_bytes())
    stamp = {
        "botocore": facts.botocore_version,
        "service": "license-manager",
        "api_version": facts.api_version,
        "service_model_sha256": facts.model_sha256,
        "overrides_sha256": facts.overrides_sha256,
        "generator_sha256": generator.hexdigest(),
    }
    return {
        "licensemanager_sdk/types/__init__.py": render.render_types_init(facts),
        "licensemanager_sdk/types/_enums/__init__.py": render.render_enums_init(facts),
        **{
            f"licensemanager_sdk/types/_enums/{module}.py": text
            for module, text in render.render_enum_modules(facts).items()
        },
        "licensemanager_sdk/types/_shapes/__init__.py": render.render_shapes_init(facts),
        **{
            f"licensemanager_sdk/types/_shapes/{module}.py": text
            for module, text in render.render_shape_modules(facts).items()
        },
        "licensemanager_sdk/_generated/__init__.py": render.render_generated_init(facts),
        "licensemanager_sdk/_generated/_operations.py": render.render_operations(facts),
        "licensemanager_sdk/_generated/_api.py": render.render_api(facts),
        "licensemanager_sdk/_generated/_async_api.py": render.render_api(facts, aio=True),
        "licensemanager_sdk/_generated/_errors.py": render.render_errors(facts),
        "tests/generated/test_operations.py": render.render_smoke_tests(facts),
        "docs/reference/operations.md": render.render_reference_operations(facts),
        "docs/reference/errors.md": render.render_reference_errors(facts),
        LOCK: json.dumps(stamp, indent=2, sort_keys=True) + "\n",
    }


def _write(target: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = target / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    python_files = [str(target / rel) for rel in files if rel.endswith(".py")]
    ruff = [sys.executable, "-m", "ruff"]
    subprocess.run(
        [*ruff, "check", "--fix-only", "--quiet", "--config", str(ROOT / "pyproject.toml"), *python_files], check=True
    )
    subprocess.run([*ruff, "format", "--quiet", "--config", str(ROOT / "pyproject.toml"), *python_files], check=True)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m codegen", description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if regeneration would change any generated file")
    args = parser.parse_args()
    files = _outputs()
    if not args.check:
        for folder in ("licensemanager_sdk/types", "licensemanager_sdk/_generated"):
            shutil.rmtree(ROOT / folder, ignore_errors=True)
        _write(ROOT, files)
        print(f"codegen: wrote {len(files)} files")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        _write(Path(tmp), files)
        drift = [
            rel
            for rel in files
            if not (ROOT / rel).exists() or (ROOT / rel).read_text() != (Path(tmp) / rel).read_text()
        ]
        for folder in ("licensemanager_sdk/types", "licensemanager_sdk/_generated"):
            extra = {str(p.relative_to(ROOT)) for p in (ROOT / folder).rglob("*.py")} - set(files)
            drift.extend(sorted(extra))
    if drift:
        print("codegen: generated files are stale or edited by hand; run `make generate`:", *drift, sep="\n  ")
        return 1
    print(f"codegen: {len(files)} generated files match botocore and codegen/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
