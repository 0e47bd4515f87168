"""Project dossiers on real databases: SQLite (embedded default) and PostgreSQL (on loopback)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from api.conversations import Conversations, operator_conversation_id
from api.db.engine import Database
from api.db.models import AccessLink
from api.dossiers import Dossiers, LinkRejected, NotFound, Refused, project_context
from api.links import LinkSigner
from api.schemas import FeedbackIn, ItemUpdate, ProjectCreate, ProjectUpdate, Regenerate
from assistant.answering import AskContext
from chubei.services import Services

POOL = "健身会所带25米恒温泳池，水面400平，租的商场四楼，房本还没下来"


def make_dossiers(url: str, indexed: Services) -> Dossiers:
    return Dossiers(
        Database(url), indexed.guide.plan, LinkSigner(b"test-secret"), "https://chubei.example", ttl_days=30
    )


def test_create_track_and_survive_a_restart(database_url: str, indexed: Services) -> None:
    dossiers = make_dossiers(database_url, indexed)
    project = dossiers.create(
        ProjectCreate(name="某健身会所市北店", description=POOL, specialist_name="王专员", specialist_phone="0532-1"),
        actor="李科长",
    )
    assert {t.id for t in project.plan.project_types} >= {"fitness", "swimming"}
    assert [i.item_id for i in project.items] == [r.id for r in project.plan.requirements]
    assert all(i.status == "待准备" for i in project.items)
    assert project.links and project.links[0].url.startswith("https://chubei.example/c/")

    first = project.items[0].item_id
    dossiers.update_item(project.id, first, ItemUpdate(status="容缺受理", note="产权证在办，承诺后补"), actor="王专员")
    dossiers.update(project.id, ProjectUpdate(status="筹备中", specialist_name="赵专员"), actor="李科长")

    reopened = make_dossiers(database_url, indexed).get(project.id)  # a new engine: what was committed is there
    item = next(i for i in reopened.items if i.item_id == first)
    assert (item.status, item.note, item.updated_by) == ("容缺受理", "产权证在办，承诺后补", "王专员")
    assert reopened.specialist_name == "赵专员"
    history = dossiers.history(project.id)
    actions = [(h.actor, h.action) for h in history]
    assert (
        ("王专员", "更新条目") in actions
        and ("李科长", "修改项目信息") in actions
        and ("李科长", "创建项目") in actions
    )
    update = next(h for h in history if h.action == "更新条目")
    assert update.detail["status"] == ["待准备", "容缺受理"]


def test_regenerating_keeps_status_and_notes_of_items_that_remain(database_url: str, indexed: Services) -> None:
    dossiers = make_dossiers(database_url, indexed)
    project = dossiers.create(
        ProjectCreate(name="泳池项目", description=POOL, specialist_name="王专员"), actor="李科长"
    )
    pool_items = [i.item_id for i in project.items if i.item_id.startswith("swimming.")]
    general = next(i.item_id for i in project.items if i.item_id.startswith("general."))
    dossiers.update_item(project.id, general, ItemUpdate(status="已完成", note="执照已领"), actor="王专员")
    dossiers.update_item(project.id, pool_items[0], ItemUpdate(note="救生员在招"), actor="王专员")

    changed = dossiers.regenerate(project.id, Regenerate(facts={"has_pool": False}), actor="王专员")

    assert "swimming" not in {t.id for t in changed.plan.project_types}
    by_id = {i.item_id: i for i in changed.items}
    assert (by_id[general].status, by_id[general].note, by_id[general].active) == ("已完成", "执照已领", True)
    assert by_id[pool_items[0]].active is False and by_id[pool_items[0]].note == "救生员在招"
    entry = next(h for h in dossiers.history(project.id) if h.action == "重新生成方案")
    assert pool_items[0] in entry.detail["removed"] and entry.detail["facts"] == {"has_pool": False}
    restored = dossiers.regenerate(project.id, Regenerate(facts={"has_pool": True}), actor="王专员")
    assert next(i for i in restored.items if i.item_id == pool_items[0]).active is True


def test_links_open_one_project_until_revoked_or_expired(database_url: str, indexed: Services) -> None:
    dossiers = make_dossiers(database_url, indexed)
    project = dossiers.create(
        ProjectCreate(name="KTV", description="商场三楼开KTV", specialist_name="周专员"), actor="a"
    )
    token = project.links[0].token
    assert dossiers.resolve(token) == project.id

    with pytest.raises(LinkRejected) as tampered:
        dossiers.resolve(token[:-2] + "xx")
    assert tampered.value.status == 401

    fresh = dossiers.create_link(project.id, actor="a")
    with pytest.raises(LinkRejected) as revoked:
        dossiers.resolve(token)  # a new link revokes the earlier ones
    assert revoked.value.status == 403 and "撤销" in str(revoked.value)
    assert dossiers.resolve(fresh.token) == project.id

    with dossiers.db.session() as session:
        session.get(AccessLink, fresh.id).expires_at = datetime.now(UTC) - timedelta(minutes=1)
    with pytest.raises(LinkRejected) as expired:
        dossiers.resolve(fresh.token)
    assert expired.value.status == 403 and "过期" in str(expired.value)
    with pytest.raises(NotFound):
        dossiers.current_link(project.id)


def test_out_of_scope_projects_and_unknown_ids_are_refused(database_url: str, indexed: Services) -> None:
    dossiers = make_dossiers(database_url, indexed)
    with pytest.raises(Refused, match="不在筹备期审批辅导的覆盖范围内"):
        dossiers.create(ProjectCreate(name="核电", description="在崂山建一座核电站", specialist_name="王"), actor="a")
    with pytest.raises(NotFound):
        dossiers.get("nope")
    assert dossiers.list().total == 0 and dossiers.list().projects == []


def test_search_and_conversations_with_feedback(database_url: str, indexed: Services) -> None:
    dossiers = make_dossiers(database_url, indexed)
    pool = dossiers.create(ProjectCreate(name="海岸泳馆", description=POOL, specialist_name="王专员"), actor="a")
    cafe = dossiers.create(
        ProjectCreate(name="星河网咖", description="商场二楼开网咖", specialist_name="孙专员"), actor="a"
    )
    assert [p.id for p in dossiers.list("泳馆").projects] == [pool.id]
    assert [p.id for p in dossiers.list("孙专员").projects] == [cafe.id]

    conversations = Conversations(dossiers.db)
    context = AskContext(project=project_context(pool))
    answer = indexed.assistant.ask("游泳池要配几个救生员？", context)
    conversation_id, message_id = conversations.record(
        operator_conversation_id(pool.id), pool.id, "operator", "游泳池要配几个救生员？", answer
    )
    conversations.add_feedback(FeedbackIn(message_id=message_id, rating="down", reason="没说具体人数"), pool.id)
    with pytest.raises(NotFound):
        conversations.add_feedback(FeedbackIn(message_id=message_id, rating="up"), cafe.id)

    [conversation] = conversations.for_project(pool.id)
    assert conversation.id == conversation_id and conversations.for_project(cafe.id) == []
    question, reply = conversation.messages
    assert (question.role, reply.role) == ("user", "assistant")
    assert reply.citations and reply.feedback[0].reason == "没说具体人数"
    [row] = conversations.feedback(rating="down")
    assert (row["question"], row["project_id"]) == ("游泳池要配几个救生员？", pool.id)

    # The turn is remembered for the next question of the same conversation, and only there.
    [turn] = conversations.history(conversation_id, pool.id, "operator", turns=4)
    assert turn.question == "游泳池要配几个救生员？" and "swimming" in turn.type_ids
    with pytest.raises(Refused):
        conversations.history(conversation_id, cafe.id, "operator", turns=4)


def test_schema_is_at_the_latest_migration(database_url: str) -> None:
    database = Database(database_url)
    with database.engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0008"
    Database(database_url)  # migrating again is a no-op


def test_an_item_merged_in_the_knowledge_takes_over_the_progress_of_the_items_it_replaces(
    database_url: str, indexed: Services
) -> None:
    """A stored project still lists items that the knowledge base has since merged into one: when the plan is
    regenerated, the merged item starts from their least advanced status and keeps every note."""
    plan = indexed.guide.plan(POOL)
    merged = next(r for r in plan.requirements if r.replaces)
    old_ids = merged.replaces[:2]
    others = [r for r in plan.requirements if r.id != merged.id]
    old_plan = plan.model_copy(update={"requirements": [
        *others, *(merged.model_copy(update={"id": old, "title": f"旧条目 {old}", "replaces": []}) for old in old_ids)
    ]})  # fmt: skip
    plans = iter([old_plan, plan])
    dossiers = Dossiers(Database(database_url), lambda description, facts: next(plans), LinkSigner(b"test-secret"),
                        "https://chubei.example", ttl_days=30)  # fmt: skip
    project = dossiers.create(ProjectCreate(name="合并前的项目", description=POOL, specialist_name="王专员"), "李科长")
    dossiers.update_item(project.id, old_ids[0], ItemUpdate(status="已完成", note="疏散图已张贴"), actor="王专员")
    dossiers.update_item(project.id, old_ids[1], ItemUpdate(status="预审通过", note="检测报告已交"), actor="王专员")

    regenerated = dossiers.regenerate(project.id, Regenerate(), actor="王专员")

    item = next(i for i in regenerated.items if i.item_id == merged.id)
    assert (item.status, item.active) == ("预审通过", True)
    assert "疏散图已张贴" in item.note and "检测报告已交" in item.note
    assert not any(i.active for i in regenerated.items if i.item_id in old_ids)
