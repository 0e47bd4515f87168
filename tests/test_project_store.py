"""The project store at scale, on real SQLite and PostgreSQL: compact plans, a list that pages and never reads
plans, literal search, and the migration that converts stored plans (and back). Over HTTP on a real server:
pagination with X-Total-Count, escaped search and 422s for bad paging values."""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy import event, inspect

from api.db.engine import MIGRATIONS, Database, make_engine
from api.dossiers import Dossiers
from api.links import LinkSigner
from api.schemas import ItemUpdate, ProjectCreate, Regenerate
from assistant.models import GuidanceResponse
from chubei.services import Services
from tests.conftest import RunningServer

POOL = "健身会所带25米恒温泳池，水面400平，租的商场四楼，房本还没下来"


@pytest.fixture(scope="module")
def pool_plan(indexed: Services) -> GuidanceResponse:
    return indexed.guide.plan(POOL)


def dossiers_with(url: str, planner) -> Dossiers:
    return Dossiers(Database(url), planner, LinkSigner(b"test-secret"), "https://chubei.example", ttl_days=30)


def create(dossiers: Dossiers, name: str, description: str = POOL) -> str:
    return dossiers.create(ProjectCreate(name=name, description=description, specialist_name="王专员"), "李科长").id


def alembic(engine: sa.Engine, action, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        action(config, revision)


class Statements:
    """Every SQL statement an engine runs while the block is open."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.seen: list[str] = []

    def _record(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self.seen.append(statement)

    def __enter__(self) -> list[str]:
        event.listen(self.engine, "before_cursor_execute", self._record)
        return self.seen

    def __exit__(self, *exc) -> None:
        event.remove(self.engine, "before_cursor_execute", self._record)


def sqlite_bytes(url: str) -> int:
    """The size of a SQLite database on disk (file and write-ahead log), 0 for another database."""
    if not url.startswith("sqlite:///"):
        return 0
    path = Path(url.removeprefix("sqlite:///"))
    return sum(file.stat().st_size for file in (path, path.with_name(f"{path.name}-wal")) if file.exists())


def stored(connection: sa.Connection) -> tuple[int, int]:
    """Bytes of plan skeletons and of plan pieces in the database."""
    return tuple(
        sum(len(bytes(blob)) for blob in connection.execute(sa.text(f"SELECT {column} FROM {table}")).scalars())
        for table, column in (("project_plans", "skeleton"), ("plan_parts", "body"))
    )


def test_a_plan_is_stored_compressed_and_read_back_identical(database_url: str, indexed: Services) -> None:
    dossiers = dossiers_with(database_url, indexed.guide.plan)
    project = dossiers.create(ProjectCreate(name="某健身会所", description=POOL, specialist_name="王专员"), "李科长")

    reopened = dossiers_with(database_url, indexed.guide.plan).get(project.id)  # a new engine reads the stored rows
    assert reopened.plan == project.plan
    assert reopened.plan.model_dump(mode="json") == indexed.guide.plan(POOL).model_dump(mode="json")
    as_before = len(json.dumps(project.plan.model_dump(mode="json")))  # what the plain JSON column used to hold
    with dossiers.db.engine.connect() as connection:
        assert "plan" not in {column["name"] for column in inspect(connection).get_columns("projects")}
        skeletons, parts = stored(connection)
        [skeleton] = connection.execute(sa.text("SELECT skeleton FROM project_plans")).scalars()
        texts = [zlib.decompress(bytes(blob)).decode("utf-8") for blob in connection.execute(
            sa.text("SELECT body FROM plan_parts")).scalars()]  # fmt: skip
    assert any("游泳" in text for text in texts) and not any("\\u" in text for text in texts)  # UTF-8, not \u-escaped
    assert "\\u" not in zlib.decompress(bytes(skeleton)).decode("utf-8")
    assert (skeletons + parts) * 3 < as_before  # the first plan of its kind: every piece is new

    # A second project of the same kind shares every piece: it adds only its skeleton.
    twin = dossiers.create(ProjectCreate(name="另一家健身会所", description=POOL, specialist_name="赵专员"), "李科长")
    with dossiers.db.engine.connect() as connection:
        more_skeletons, more_parts = stored(connection)
    assert more_parts == parts and more_skeletons - skeletons < as_before / 50
    assert dossiers.get(twin.id).plan == project.plan

    # Item updates, notes and regenerating work on the stored plan; what is returned is what was stored.
    general = next(i.item_id for i in project.items if i.item_id.startswith("general."))
    dossiers.update_item(project.id, general, ItemUpdate(status="已完成", note="执照已领"), actor="王专员")
    changed = dossiers.regenerate(project.id, Regenerate(facts={"has_pool": False}), actor="王专员")
    assert "swimming" not in {t.id for t in changed.plan.project_types}
    again = dossiers_with(database_url, indexed.guide.plan).get(project.id)
    assert again.plan == changed.plan and again.type_names == [t.name for t in changed.plan.project_types]
    item = next(i for i in again.items if i.item_id == general)
    assert (item.status, item.note) == ("已完成", "执照已领")


def test_the_list_pages_counts_and_never_reads_a_plan(database_url: str, pool_plan: GuidanceResponse) -> None:
    dossiers = dossiers_with(database_url, lambda description, facts: pool_plan)
    ids = [create(dossiers, f"项目{n}") for n in range(7)]

    with Statements(dossiers.db.engine) as statements:
        pages = [dossiers.list(limit=3, offset=offset) for offset in (0, 3, 6, 9)]
    assert not any("project_plans" in statement or "plan_parts" in statement for statement in statements)
    assert [page.total for page in pages] == [7, 7, 7, 7]
    assert [len(page.projects) for page in pages] == [3, 3, 1, 0]
    listed = [p.id for page in pages for p in page.projects]
    assert listed == ids[::-1]  # most recently updated first, each project once

    requirements = pool_plan.requirements
    dossiers.update_item(ids[0], requirements[0].id, ItemUpdate(status="已完成"), actor="王专员")
    [first] = dossiers.list(limit=1).projects  # the update moves it to the top
    assert first.id == ids[0] and first.progress == f"1/{len(requirements)}"
    assert first.type_names == [t.name for t in pool_plan.project_types]
    assert first.model_dump() == dossiers.get(ids[0]).model_dump(include=set(first.model_dump()))


def test_search_matches_percent_and_underscore_literally(database_url: str, pool_plan: GuidanceResponse) -> None:
    dossiers = dossiers_with(database_url, lambda description, facts: pool_plan)
    percent = create(dossiers, "满100%返现健身房")
    underscore = create(dossiers, "A_B 健身", "商场四楼健身房")
    plain = create(dossiers, "AXB 健身", "商场四楼健身房，ktv 包间")

    def found(query: str) -> list[str]:
        page = dossiers.list(query)
        assert page.total == len(page.projects)
        return [p.id for p in page.projects]

    assert found("%") == [percent]
    assert found("_") == [underscore]
    assert found("A_B") == [underscore]
    assert found("%%") == [] and found("\\") == [] and found("/") == []
    assert found("KTV") == [plain]  # still case-insensitive
    assert set(found("健身")) == {percent, underscore, plain}


def test_the_migration_converts_stored_plans_and_back(database_url: str, pool_plan: GuidanceResponse) -> None:
    """A database made at the previous revision, with rows as the previous code wrote them (the plan as
    ``\\u``-escaped JSON in ``projects.plan``), is upgraded in place and downgraded again, losing nothing."""
    engine = make_engine(database_url)
    alembic(engine, command.upgrade, "0002")
    plan = pool_plan.model_dump(mode="json")
    other = {**plan, "project_types": plan["project_types"][:1], "notice": "另一个方案"}
    moment = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    when = sa.DateTime(timezone=True)
    projects = sa.table(
        "projects", *(sa.column(name) for name in ("id", "name", "description", "specialist_name", "status",
                                                   "created_by")),
        sa.column("created_at", when), sa.column("updated_at", when),
        sa.column("fact_overrides", sa.JSON), sa.column("plan", sa.JSON), sa.column("type_ids", sa.JSON),
    )  # fmt: skip
    items = sa.table("project_items", *(sa.column(name) for name in ("project_id", "item_id", "dimension", "title",
                     "position", "status", "note")), sa.column("deferrable", sa.Boolean),
                     sa.column("active", sa.Boolean), sa.column("updated_at", when))  # fmt: skip
    stored = {"p1": plan, "p2": other, "p3": plan}
    with engine.begin() as connection:
        for pid, body in stored.items():
            connection.execute(projects.insert().values(
                id=pid, name=f"旧项目{pid}", description=POOL, specialist_name="王专员", status="筹备中",
                created_at=moment, updated_at=moment, created_by="李科长", fact_overrides={"floor": 4}, plan=body,
                type_ids=[t["id"] for t in body["project_types"]]))  # fmt: skip
        connection.execute(items.insert(), [
            {"project_id": pid, "item_id": r["id"], "dimension": r["dimension"], "title": r["title"], "position": n,
             "status": "已完成" if n == 0 else "待准备", "note": "旧备注" if n == 0 else "", "deferrable": False,
             "active": True, "updated_at": moment}
            for pid in stored for n, r in enumerate(plan["requirements"])
        ])  # fmt: skip
        old_text = connection.execute(sa.text("SELECT CAST(plan AS TEXT) FROM projects WHERE id = 'p1'")).scalar_one()
    assert "\\u" in old_text  # as the JSON column wrote it
    engine.dispose()
    size_before = sqlite_bytes(database_url)

    dossiers = dossiers_with(database_url, lambda description, facts: pool_plan)  # migrates to head
    if size_before:  # an upgraded SQLite file gives back the space the plans took
        assert sqlite_bytes(database_url) * 3 < size_before
    for pid, body in stored.items():
        project = dossiers.get(pid)
        assert project.plan.model_dump(mode="json") == GuidanceResponse.model_validate(body).model_dump(mode="json")
        assert project.type_names == [t["name"] for t in body["project_types"]]
        assert (project.items[0].status, project.items[0].note) == ("已完成", "旧备注")
    page = dossiers.list("旧项目")
    assert page.total == 3 and {p.progress for p in page.projects} == {f"1/{len(plan['requirements'])}"}
    dossiers.update_item("p2", plan["requirements"][1]["id"], ItemUpdate(note="升级后的备注"), actor="王专员")

    alembic(dossiers.db.engine, command.downgrade, "0002")
    with dossiers.db.engine.connect() as connection:
        rows = connection.execute(sa.select(projects.c.id, projects.c.plan).order_by(projects.c.id)).all()
        assert {pid: body for pid, body in rows} == stored
        assert not {"project_plans", "plan_parts"} & set(inspect(connection).get_table_names())
        assert connection.execute(sa.text("SELECT count(*) FROM project_items")).scalar_one() == 3 * len(
            plan["requirements"]
        )
        note = "SELECT note FROM project_items WHERE project_id = 'p2' AND position = 1"
        assert connection.execute(sa.text(note)).scalar_one() == "升级后的备注"


# -- over HTTP, on the real server --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def listed(server: RunningServer) -> Iterator[dict[str, str]]:
    """Three projects made through the API whose names share a word found nowhere else, one with a % in it."""
    ids = {}
    for name, description in (("翻页甲 满100%返现", "商场三楼开KTV"), ("翻页乙", "商场二楼开网咖，80台电脑"),
                              ("翻页丙", "小区底商开KTV")):  # fmt: skip
        body = {"name": name, "description": description, "specialist_name": "周专员"}
        response = httpx.post(f"{server.url}/api/v1/projects", json=body, headers=server.headers, timeout=60)
        assert response.status_code == 201, response.text
        ids[name] = response.json()["id"]
    yield ids


def get_list(server: RunningServer, **params) -> httpx.Response:
    return httpx.get(f"{server.url}/api/v1/projects", params=params, headers=server.headers, timeout=30)


def test_the_project_list_pages_with_a_total_over_http(server: RunningServer, listed: dict[str, str]) -> None:
    first = get_list(server, q="翻页", limit=2)
    second = get_list(server, q="翻页", limit=2, offset=2)
    assert first.status_code == second.status_code == 200
    assert first.headers["X-Total-Count"] == second.headers["X-Total-Count"] == "3"
    rows = first.json() + second.json()
    assert [len(first.json()), len(second.json())] == [2, 1]
    assert [row["id"] for row in rows] == list(listed.values())[::-1]
    assert set(rows[0]) == {"id", "name", "specialist_name", "status", "type_names", "progress", "updated_at"}
    assert rows[0]["type_names"] and rows[0]["progress"].endswith(tuple("0123456789"))

    everything = get_list(server)
    assert int(everything.headers["X-Total-Count"]) >= 3 and len(everything.json()) <= 50  # the default page

    percent = get_list(server, q="%")
    assert [row["id"] for row in percent.json()] == [listed["翻页甲 满100%返现"]]
    assert percent.headers["X-Total-Count"] == "1"
    assert get_list(server, q="翻页_").headers["X-Total-Count"] == "0"


@pytest.mark.parametrize(
    ("params", "field", "label"),
    [
        ({"limit": 0}, "limit", "每页条数（limit）"),
        ({"limit": 201}, "limit", "每页条数（limit）：每页最多 200 条"),
        ({"limit": "十"}, "limit", "每页条数（limit）：应为整数"),
        ({"offset": -1}, "offset", "起始位置（offset）"),
        ({"offset": 2**63}, "offset", "起始位置（offset）"),
        ({"offset": "下一页"}, "offset", "起始位置（offset）：应为整数"),
    ],
)
def test_bad_paging_values_are_a_chinese_422_naming_the_field(
    server: RunningServer, params: dict, field: str, label: str
) -> None:
    response = get_list(server, **params)
    assert response.status_code == 422, response.text
    body = response.json()
    assert label in body["message"] and body["detail"][0]["field"] == field


def test_the_openapi_documents_paging_and_the_total(server: RunningServer) -> None:
    spec = httpx.get(f"{server.url}/openapi.json").json()
    operation = spec["paths"]["/api/v1/projects"]["get"]
    assert {"limit", "offset", "q"} <= {parameter["name"] for parameter in operation["parameters"]}
    assert "X-Total-Count" in operation["responses"]["200"]["headers"]
