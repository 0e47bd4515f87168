"""Staff accounts and their API keys (管理员 only), and who the caller is (any staff member)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from fastapi import Path as PathParam

from api.auth import Admin, Member
from api.deps import AccountsDep
from api.guard import AdminRoute, StaffRoute
from api.schemas import AccountCreate, AccountOut, AccountUpdate, ApiKeyCreate, ApiKeyCreated, ApiKeyOut, StaffMe

router = APIRouter(prefix="/api/v1/accounts", route_class=AdminRoute)
me_router = APIRouter(prefix="/api/v1", route_class=StaffRoute)
UsernamePath = Annotated[str, PathParam(max_length=50, description="用户名")]
KeyIdPath = Annotated[str, PathParam(max_length=16, description="密钥编号")]


@me_router.get("/me", response_model=StaffMe)
def me(member: Member) -> StaffMe:
    return StaffMe(name=member.name, role=member.role, username=member.username)


@router.get("", response_model=list[AccountOut])
def list_accounts(accounts: AccountsDep, _: Admin) -> list[AccountOut]:
    return accounts.list()


@router.post("", response_model=AccountOut, status_code=201)
def create_account(body: AccountCreate, accounts: AccountsDep, _: Admin) -> AccountOut:
    return accounts.create(body)


@router.patch("/{username}", response_model=AccountOut)
def update_account(username: UsernamePath, body: AccountUpdate, accounts: AccountsDep, _: Admin) -> AccountOut:
    """Rename, change the role, disable or enable, reset the password; a new role or password and disabling end
    the account's logins."""
    return accounts.update(username, body)


@router.post("/{username}/keys", response_model=ApiKeyCreated, status_code=201)
def create_key(username: UsernamePath, body: ApiKeyCreate, accounts: AccountsDep, _: Admin) -> ApiKeyCreated:
    """A new API key acting as this account; the key is in this response only."""
    return accounts.create_key(username, body.label)


@router.delete("/{username}/keys/{key_id}", response_model=ApiKeyOut)
def revoke_key(username: UsernamePath, key_id: KeyIdPath, accounts: AccountsDep, _: Admin) -> ApiKeyOut:
    return accounts.revoke_key(username, key_id)
