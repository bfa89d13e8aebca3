"""``manage.py import_extract --kind hukou FILE``: import a department extract (CSV or XLSX)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from sunshine.audit.services import Actor
from sunshine.verification.extracts import ExtractRejected
from sunshine.verification.models import RecordKind
from sunshine.verification.services import import_extract_file


class Command(BaseCommand):
    help = "Import a department extract (CSV or XLSX); a file with any bad row is refused whole."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--kind", required=True, choices=[kind.value for kind in RecordKind])
        parser.add_argument("--source", help="name of the extract (default: the file name)")
        parser.add_argument("--operator", default="cli", help="who imports, for the audit log")
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        actor = Actor(name=options["operator"], role="operator", source="import_extract")
        try:
            extract = import_extract_file(
                actor, RecordKind(options["kind"]), path, source_name=options["source"]
            )
        except ExtractRejected as rejected:
            for problem in rejected.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"文件有{len(rejected.problems)}处问题，已整体拒收，未导入任何记录"
            ) from None
        except ValidationError as error:
            raise CommandError("；".join(error.messages)) from None
        self.stdout.write(f"已导入{extract.row_count}条记录（{extract.get_kind_display()}）")
