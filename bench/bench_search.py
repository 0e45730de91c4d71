"""Benchmark of catalogue search: ``item_search`` against a naive name query, same process.

Run ``.venv/bin/python bench/bench_search.py [--items 1000] [--rounds 5]``. It sets Django up
against a fresh SQLite database in a temporary folder under /tmp (migrated, deleted at the
end), stores ``--items`` published items through the catalogue services (realistic names,
keywords and guides, 19 departments), rebuilds every search document in bulk, then runs a set
of everyday queries ``--rounds`` times through ``item_search`` and through the baseline
(``name__icontains``, one query, first 20 rows) and prints both throughputs and their ratio,
then the grouped search of the public page (``item_search_grouped``, one result per basic code)
against the same baseline.
Not collected by pytest (pytest only looks under src/).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from bench.queries import SEARCH_QUERIES as QUERIES  # noqa: E402

# (name, keywords, one-sentence guide); the names repeat with variants up to --items.
BASE_ITEMS = [
    ("旧楼加装电梯审批", "加装电梯 装电梯 老楼电梯", "老旧多层住宅加装电梯，多部门并联审批。"),
    ("电梯安装改造维修告知", "电梯维修 电梯改造 特种设备", "电梯施工前告知监管部门。"),
    ("个体工商户设立登记", "营业执照 个体户 开店 小卖部", "开一家小店，先办个体工商户营业执照。"),
    ("有限责任公司设立登记", "开公司 注册公司", "开办有限责任公司，领取营业执照。"),
    ("食品经营许可", "卖吃的 开饭店 小卖部 便利店", "卖食品、开饭店需要办食品经营许可证。"),
    ("城乡居民养老保险待遇核定", "养老金 领养老金 农村养老", "年满六十周岁按月领取养老金。"),
    ("企业职工基本养老保险待遇申领", "退休金 退休工资 养老金", "企业职工退休后按月领取养老金。"),
    ("养老机构设立备案", "养老院 敬老院", "开办养老院向民政部门备案。"),
    ("异地就医备案", "异地就医 外地看病 医保报销", "到外地看病先办异地就医备案。"),
    ("医疗机构执业登记", "开诊所 开医院", "开办医院、诊所办理执业登记。"),
    ("生育登记", "生孩子 准生证 生育服务证", "生孩子前后都可以办生育登记。"),
    ("最低生活保障申请", "低保 低保户 困难补助", "困难家庭申请最低生活保障金。"),
    ("建设工程规划许可证核发", "规划许可 盖房子 报建", "新建、改建建筑物要取得规划许可证。"),
    ("结婚登记", "结婚 领证 结婚证", "男女双方到婚姻登记处领取结婚证。"),
    ("居住证办理", "居住证 暂住证", "居住半年以上的外地人员可以申领居住证。"),
    ("残疾人证办理", "残疾证 残疾评定", "经评定为残疾的人员申请残疾人证。"),
    ("高龄津贴申领", "高龄补贴 老人补贴 长寿金", "八十周岁以上老人每月领取高龄津贴。"),
    ("城乡居民基本医疗保险参保登记", "买医保 参保", "办理基本医疗保险参保登记。"),
    ("户口迁移", "迁户口 落户 入户", "把户口迁入本区或在区内迁移。"),
    ("失业保险金申领", "失业金 失业补助", "失业后按月领取失业保险金。"),
    ("药品零售企业许可", "开药店 药店", "开办零售药店要取得药品经营许可证。"),
    ("公共场所卫生许可", "理发店 美容院 宾馆", "理发店、宾馆等公共场所办理卫生许可。"),
    ("排水许可", "排污 排水", "向城镇排水设施排放污水要申请排水许可。"),
    ("城市道路占用挖掘许可", "占道 挖路", "占用、挖掘城市道路要先取得许可。"),
    ("户外广告设置许可", "招牌 广告牌", "设置户外广告、招牌要办理许可。"),
    ("机动车临时通行牌证核发", "临时牌照", "未登记的车辆临时上路申请临时通行牌证。"),
    ("社会保障卡申领", "社保卡 医保卡", "申领社会保障卡，就医购药都能用。"),
    ("公租房申请", "公租房 廉租房 住房困难", "住房困难家庭申请公共租赁住房。"),
    ("出生医学证明签发", "出生证 出生证明", "新生儿出生后签发出生医学证明。"),
    ("民办学校设立审批", "办学校 培训机构", "开办民办学校、培训机构要审批。"),
]
VARIANTS = ["", "（新办）", "（变更）", "（注销）", "（延续）", "（补办）", "（换发）", "（备案）"]
DEPARTMENTS = [
    ("区住房和城乡建设局", "区住建局"),
    ("区市场监督管理局", "区市场监管局"),
    ("区人力资源和社会保障局", "区人社局"),
    ("区医疗保障局", "区医保局"),
    ("区卫生健康局", "区卫健局"),
    ("区民政局", "民政局"),
    ("区规划和自然资源局", "规划分局"),
    ("区公安分局", "公安分局"),
    ("区残疾人联合会", "区残联"),
    ("区教育局", "教育局"),
    ("区城市管理和综合执法局", "城管局"),
    ("区水务局", "水务局"),
    ("区交通运输局", "交通局"),
    ("区文化广电旅游体育局", "文广旅体局"),
    ("区生态环境分局", "环保局"),
    ("区司法局", "司法局"),
    ("区退役军人事务局", "退役军人局"),
    ("区税务局", "税务局"),
    ("区应急管理局", "应急局"),
]


def setup_django(workdir: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["ONEWINDOW_VAR"] = str(workdir)
    os.environ["MEDIA_ROOT"] = str(workdir / "media")
    os.environ["TASK_BACKEND"] = "sync"
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ["DJANGO_SETTINGS_MODULE"] = "onewindow.config.settings"
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def build_items(count: int) -> None:
    from django.db import transaction

    from onewindow.testing.factories import DepartmentFactory, create_item

    departments = [DepartmentFactory(name=name, short_name=short) for name, short in DEPARTMENTS]
    with transaction.atomic():
        for index in range(count):
            name, keywords, summary = BASE_ITEMS[index % len(BASE_ITEMS)]
            variant = VARIANTS[(index // len(BASE_ITEMS)) % len(VARIANTS)]
            round_number = index // (len(BASE_ITEMS) * len(VARIANTS))
            suffix = f"{variant}{round_number + 1 if round_number else ''}"
            create_item(
                name=f"{name}{suffix}",
                keywords=keywords,
                guide_summary=summary,
                department=departments[index % len(departments)],
            )


def throughput(run, rounds: int) -> float:
    """Queries per second over ``rounds`` passes of QUERIES (after one warm-up pass)."""
    for query in QUERIES:
        run(query)
    started = time.perf_counter()
    for _ in range(rounds):
        for query in QUERIES:
            run(query)
    return rounds * len(QUERIES) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="ow_bench_search_", dir="/tmp"))
    try:
        setup_django(workdir)
        from onewindow.catalog.search import (
            item_search,
            item_search_grouped,
            search_documents_rebuild_all,
        )
        from onewindow.catalog.selectors import item_list_public

        started = time.perf_counter()
        build_items(args.items)
        print(
            f"stored {args.items} items through the services in "
            f"{time.perf_counter() - started:.1f} s"
        )
        started = time.perf_counter()
        rebuilt = search_documents_rebuild_all()
        print(
            f"search_documents_rebuild_all: {rebuilt} documents in "
            f"{time.perf_counter() - started:.2f} s"
        )

        def baseline(query: str) -> list:
            return list(item_list_public().filter(name__icontains=query)[:20])

        def search(query: str) -> list:
            return item_search(query, limit=20)

        def grouped(query: str) -> list:
            return item_search_grouped(query, limit=20)

        for query in ("加装电梯", "jzdt", "开个小卖部", "老人退休金"):
            hits = search(query)
            print(f"  {query} → {hits[0].item.name if hits else '-'} ({len(hits)} hits)")
        search_qps = throughput(search, args.rounds)
        grouped_qps = throughput(grouped, args.rounds)
        baseline_qps = throughput(baseline, args.rounds)
        print(f"item_search: {search_qps:8.1f} queries/s ({1000 / search_qps:.2f} ms/query)")
        print(
            f"baseline   : {baseline_qps:8.1f} queries/s ({1000 / baseline_qps:.2f} ms/query)"
            "  [name__icontains, first 20]"
        )
        print(
            f"ratio      : item_search runs at {search_qps / baseline_qps:.3f}× the baseline "
            f"throughput ({baseline_qps / search_qps:.1f}× slower)"
        )
        print(
            f"grouped    : {grouped_qps:8.1f} queries/s ({1000 / grouped_qps:.2f} ms/query), "
            f"{grouped_qps / baseline_qps:.3f}× the baseline  [item_search_grouped]"
        )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
