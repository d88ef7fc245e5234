"""`minhu geo-boundaries`: set the boundaries used to place requests from coordinates.

    minhu geo-boundaries --demo [--dry-run]
    minhu geo-boundaries --import FILE.geojson [--dry-run]

``--demo`` generates the demo city's boundaries (district squares, Voronoi cells below).
``--import`` reads a GeoJSON FeatureCollection whose features carry ``properties.code``
(the unit code) and a Polygon or MultiPolygon in WGS 84. Every feature is checked first;
if any is wrong, the problems are listed and nothing is written.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from minhu.geo.boundaries import demo_polygons, parse_geojson, save_polygons

MAX_FILE_BYTES = 500 * 1024 * 1024


class Command(BaseCommand):
    help = "设置辖区边界：生成演示城市的边界（--demo）或导入 GeoJSON（--import）"

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--demo", action="store_true", help="生成演示城市云州市的边界")
        which.add_argument("--import", dest="file", metavar="FILE.geojson",
                           help="导入 GeoJSON FeatureCollection（properties.code 为单位编码）")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")

    def handle(self, demo=False, file=None, dry_run=False, **options):
        if demo:
            polygons = demo_polygons()
            if not polygons:
                raise CommandError("数据库中没有演示城市的区县（先运行 minhu demo）")
        else:
            polygons = self._read(file)
        if dry_run:
            self.stdout.write(
                f"检查通过：{len(polygons)} 个单位的边界可以写入（未写入，--dry-run）")
            return
        count = save_polygons(polygons)
        self.stdout.write(f"已写入 {count} 个单位的边界")

    def _read(self, file: str) -> dict:
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"文件不存在：{file}")
        if path.stat().st_size > MAX_FILE_BYTES:
            raise CommandError(f"文件过大（最大 {MAX_FILE_BYTES // 2**20} MB）")
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise CommandError("文件须为 UTF-8 编码的 GeoJSON") from None
        result = parse_geojson(text)
        if result.errors:
            for error in result.errors[:200]:
                self.stdout.write(f"  {error}")
            more = len(result.errors) - 200
            if more > 0:
                self.stdout.write(f"  ……另有 {more} 个问题")
            raise CommandError(f"{len(result.errors)} 个问题，未导入任何边界，请修正后重新导入")
        return result.polygons
