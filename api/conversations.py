"""Conversations with the assistant, kept per project (operator chat) or per session (staff), and feedback."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import exists, func, select

from api.db.engine import Database
from api.db.models import Conversation, Feedback, KnowledgeChange, Message, aware
from api.dossiers import NotFound, Refused
from api.schemas import ConversationOut, FeedbackIn, FeedbackOut, MessageOut, SessionOut, SessionSummary
from assistant.answering import Answer
from assistant.models import Citation
from assistant.understanding import PriorTurn


def operator_conversation_id(project_id: str) -> str:
    return f"op-{project_id}"


def openai_conversation_id(project_id: str) -> str:
    """Where the turns an operator asks through the OpenAI-compatible API are kept (channel ``openai``)."""
    return f"oa-{project_id}"


@dataclass(frozen=True)
class Reader:
    """Whose staff sessions may be read and continued: an account's own, or everyone's (管理员)."""

    account_id: int | None
    everyone: bool


@dataclass(frozen=True)
class Starter:
    """Who starts a staff session: the account (None for a shared staff key) and the name shown."""

    account_id: int | None
    name: str


NO_SESSION = "会话不存在，或不是您的会话"
OTHER_PLACE = "会话 session_id 属于另一个项目或渠道，不能沿用；请不带 session_id 开始新的对话"


class Conversations:
    def __init__(self, db: Database) -> None:
        self.db = db

    def history(self, conversation_id: str | None, project_id: str | None, channel: str, turns: int,
                public_link_id: str | None = None) -> list[PriorTurn]:  # fmt: skip
        """The last ``turns`` answered turns of this conversation, oldest first.

        Memory never crosses conversations or projects: a session id that belongs to another project, channel
        or public link is refused rather than read.
        """
        if conversation_id is None:
            return []
        with self.db.session() as session:
            conversation = session.get(Conversation, conversation_id)
            if conversation is None:
                return []
            if not _same_place(conversation, project_id, channel, public_link_id):
                raise Refused(OTHER_PLACE)
            recent = session.scalars(
                select(Message)
                .where(Message.conversation_id == conversation_id)
                .order_by(Message.id.desc())
                .limit(2 * turns)
            ).all()
            turns_read: list[PriorTurn] = []
            for position, message in enumerate(recent):
                if message.role == "assistant":
                    asked = next((m.text for m in recent[position + 1 :] if m.role == "user"), "")
                    turns_read.append(_prior_turn(message, asked))
            return list(reversed(turns_read))

    def record(
        self,
        conversation_id: str | None,
        project_id: str | None,
        channel: str,
        question: str,
        answer: Answer,
        starter: Starter | None = None,
        public_link_id: str | None = None,
    ) -> tuple[str, int]:
        """Store one question and its answer; returns (conversation id, answer message id)."""
        conversation_id = conversation_id or uuid.uuid4().hex
        turn = answer.turn()
        with self.db.session() as session:
            conversation = session.get(Conversation, conversation_id)
            if conversation is None:
                conversation = Conversation(id=conversation_id, project_id=project_id, channel=channel,
                                            account_id=starter.account_id if starter else None,
                                            started_by=starter.name if starter else None,
                                            public_link_id=public_link_id)  # fmt: skip
                session.add(conversation)
            elif not _same_place(conversation, project_id, channel, public_link_id):
                raise Refused(OTHER_PLACE)
            session.add(Message(conversation_id=conversation_id, role="user", text=question))
            reply = Message(
                conversation_id=conversation_id,
                role="assistant",
                text=answer.text,
                citations=[c.model_dump(mode="json") for c in answer.citations],
                out_of_scope=answer.out_of_scope,
                understood_as=answer.understood_as,
                context={"type_ids": list(turn.type_ids), "permit_ids": list(turn.permit_ids),
                         "subject": turn.subject, "intent": str(turn.intent), "understood": turn.understood,
                         "items": list(answer.items), "mentioned_permit_ids": list(turn.mentioned_permit_ids)},
            )  # fmt: skip
            session.add(reply)
            session.flush()
            return conversation_id, reply.id

    def check_reader(self, conversation_id: str | None, reader: Reader) -> None:
        """A staff member may continue only a session of their own (管理员: any); 404 otherwise."""
        if conversation_id is None:
            return
        with self.db.session() as session:
            conversation = session.get(Conversation, conversation_id)
            if conversation is not None and not _readable(conversation, reader):
                raise NotFound(NO_SESSION)

    def staff_sessions(
        self, reader: Reader, text: str | None, limit: int, offset: int
    ) -> tuple[int, list[SessionSummary]]:
        """Staff question sessions, the most recently asked first, with the total that match.

        ``text`` matches any question or answer of the session literally (``%`` and ``_`` are no wildcards).
        """
        of_it = Message.conversation_id == Conversation.id
        last_id = select(func.max(Message.id)).where(of_it).scalar_subquery()
        last_at = select(func.max(Message.created_at)).where(of_it).scalar_subquery()
        first_question = (select(Message.text).where(of_it, Message.role == "user").order_by(Message.id).limit(1)
                          .scalar_subquery())  # fmt: skip
        turns = select(func.count()).where(of_it, Message.role == "assistant").scalar_subquery()
        conditions = [Conversation.channel == "staff", exists().where(of_it)]
        if not reader.everyone:
            conditions.append(Conversation.account_id == reader.account_id)
        if text:
            conditions.append(exists().where(of_it, Message.text.icontains(text, autoescape=True)))
        with self.db.session() as session:
            total = session.scalar(select(func.count()).select_from(Conversation).where(*conditions)) or 0
            rows = session.execute(
                select(Conversation, first_question, turns, last_at)
                .where(*conditions)
                .order_by(last_id.desc())
                .limit(limit)
                .offset(offset)
            ).all()
            return total, [
                SessionSummary(id=c.id, title=title or "", project_id=c.project_id, started_by=c.started_by,
                               turns=count, created_at=aware(c.created_at), last_at=aware(last or c.created_at))
                for c, title, count, last in rows
            ]  # fmt: skip

    def staff_session(self, conversation_id: str, reader: Reader) -> SessionOut:
        with self.db.session() as session:
            conversation = session.get(Conversation, conversation_id)
            if conversation is None or conversation.channel != "staff" or not _readable(conversation, reader):
                raise NotFound(NO_SESSION)
            return SessionOut(**_conversation_out(conversation).model_dump(), project_id=conversation.project_id,
                              started_by=conversation.started_by)  # fmt: skip

    def conversation(self, conversation_id: str) -> ConversationOut | None:
        with self.db.session() as session:
            conversation = session.get(Conversation, conversation_id)
            return _conversation_out(conversation) if conversation else None

    def for_project(self, project_id: str) -> list[ConversationOut]:
        with self.db.session() as session:
            conversations = session.scalars(
                select(Conversation).where(Conversation.project_id == project_id).order_by(Conversation.created_at)
            )
            return [_conversation_out(c) for c in conversations]

    def add_feedback(self, data: FeedbackIn, project_id: str | None) -> FeedbackOut:
        """Feedback on an answer; with ``project_id`` the answer must belong to that project."""
        with self.db.session() as session:
            message = session.get(Message, data.message_id)
            if message is None or message.role != "assistant":
                raise NotFound("要评价的回答不存在")
            if project_id is not None and message.conversation.project_id != project_id:
                raise NotFound("要评价的回答不存在")
            feedback = Feedback(message_id=message.id, rating=data.rating, reason=data.reason.strip())
            session.add(feedback)
            session.flush()
            return _feedback_out(feedback)

    def add_staff_feedback(self, data: FeedbackIn, reader: Reader) -> FeedbackOut:
        """A staff member's rating of an answer in one of their own question sessions (管理员: any)."""
        with self.db.session() as session:
            message = session.get(Message, data.message_id)
            if message is None or message.role != "assistant" or message.conversation.channel != "staff":
                raise NotFound("要评价的回答不存在")
            if not _readable(message.conversation, reader):
                raise NotFound("要评价的回答不存在")
        return self.add_feedback(data, project_id=None)

    def add_public_feedback(self, data: FeedbackIn, conversation_id: str, public_link_id: str) -> FeedbackOut:
        """A visitor's feedback on an answer of their own public conversation (and nothing else)."""
        with self.db.session() as session:
            message = session.get(Message, data.message_id)
            if (message is None or message.role != "assistant" or message.conversation_id != conversation_id
                    or message.conversation.public_link_id != public_link_id):  # fmt: skip
                raise NotFound("要评价的回答不存在")
        return self.add_feedback(data, None)

    def feedback(self, rating: str | None = None, unresolved_only: bool = False) -> list[dict]:
        """Feedback with the question and answer it is about, newest first (for staff review)."""
        with self.db.session() as session:
            statement = select(Feedback).order_by(Feedback.id.desc())
            if rating:
                statement = statement.where(Feedback.rating == rating)
            if unresolved_only:
                statement = statement.where(Feedback.resolved.is_(False))
            rows = []
            for feedback in session.scalars(statement):
                answer = feedback.message
                question = session.scalars(
                    select(Message)
                    .where(
                        Message.conversation_id == answer.conversation_id,
                        Message.id < answer.id,
                        Message.role == "user",
                    )
                    .order_by(Message.id.desc())
                ).first()
                change = session.get(KnowledgeChange, feedback.change_id) if feedback.change_id is not None else None
                rows.append(
                    {
                        **_feedback_out(feedback).model_dump(),
                        "message_id": answer.id,
                        "project_id": answer.conversation.project_id,
                        "channel": answer.conversation.channel,
                        "change_item_id": change.item_id if change else None,
                        "question": question.text if question else "",
                        "answer": answer.text,
                    }
                )
            return rows

    def resolve_feedback(self, feedback_id: int, change_id: int | None = None) -> FeedbackOut:
        """Mark feedback handled; with ``change_id``, linked to the knowledge change it prompted."""
        with self.db.session() as session:
            feedback = session.get(Feedback, feedback_id)
            if feedback is None:
                raise NotFound("反馈不存在")
            if change_id is not None:
                if session.get(KnowledgeChange, change_id) is None:
                    raise NotFound(f"修改记录 {change_id} 不存在")
                feedback.change_id = change_id
            feedback.resolved = True
            return _feedback_out(feedback)

    def message(self, message_id: int) -> MessageOut | None:
        with self.db.session() as session:
            message = session.get(Message, message_id)
            return _message_out(message) if message else None


def _same_place(conversation: Conversation, project_id: str | None, channel: str, public_link_id: str | None) -> bool:
    return (conversation.project_id, conversation.channel, conversation.public_link_id) == (
        project_id, channel, public_link_id)  # fmt: skip


def _readable(conversation: Conversation, reader: Reader) -> bool:
    return reader.everyone or (reader.account_id is not None and conversation.account_id == reader.account_id)


def _feedback_out(feedback: Feedback) -> FeedbackOut:
    return FeedbackOut(id=feedback.id, rating=feedback.rating, reason=feedback.reason, resolved=feedback.resolved,
                       created_at=aware(feedback.created_at), change_id=feedback.change_id)  # fmt: skip


def _message_out(message: Message) -> MessageOut:
    return MessageOut(
        id=message.id,
        role=message.role,
        text=message.text,
        citations=[Citation.model_validate(c) for c in message.citations],
        out_of_scope=message.out_of_scope,
        created_at=aware(message.created_at),
        feedback=[_feedback_out(f) for f in message.feedback],
        understood_as=message.understood_as,
        items=list((message.context or {}).get("items", [])),
    )


def _prior_turn(reply: Message, asked: str) -> PriorTurn:
    """An answered turn as the next question reads it (older rows without context still count as text)."""
    context = reply.context or {}
    return PriorTurn(
        question=asked,
        understood=context.get("understood") or reply.understood_as or asked,
        type_ids=tuple(context.get("type_ids", [])),
        permit_ids=tuple(context.get("permit_ids", [])),
        subject=context.get("subject", ""),
        intent=context.get("intent", "other"),
        out_of_scope=reply.out_of_scope,
        mentioned_permit_ids=tuple(context.get("mentioned_permit_ids", [])),
    )


def _conversation_out(conversation: Conversation) -> ConversationOut:
    return ConversationOut(
        id=conversation.id,
        channel=conversation.channel,
        created_at=aware(conversation.created_at),
        messages=[_message_out(m) for m in conversation.messages],
    )
