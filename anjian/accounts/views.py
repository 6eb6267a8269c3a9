"""Login, and the account administration of the 三权分立 system roles.

``sysadmin`` manages accounts and their roles; ``secadmin`` reads the security policy in force;
``auditor`` reads the audit log (``core:audit``). None of them sees business data. Every check is
``user.has_perm(...)``; the role table is ``anjian/accounts/permissions.py``.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import password_validation
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anjian.core import audit
from anjian.core.models import AuditAction

from .forms import LoginForm, PasswordResetForm, RoleAssignmentForm, UserCreateForm, UserEditForm
from .models import Role, RoleAssignment, User


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


def _roles() -> Prefetch:
    return Prefetch(
        "role_assignments",
        queryset=RoleAssignment.objects.select_related("area", "department", "enterprise").order_by("role", "id"),
    )


@login_required
@permission_required("accounts.view_user", raise_exception=True)
def user_list(request: HttpRequest) -> HttpResponse:
    users = User.objects.prefetch_related(_roles()).order_by("username")
    q = request.GET.get("q", "").strip()
    if q:
        users = users.filter(Q(username__icontains=q) | Q(full_name__icontains=q) | Q(phone__icontains=q))
    role = request.GET.get("role", "")
    if role in Role.values:
        users = users.filter(role_assignments__role=role).distinct()
    active = request.GET.get("active", "")
    if active in ("1", "0"):
        users = users.filter(is_active=active == "1")
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    context = {"page": page, "roles": Role.choices, "can_add": request.user.has_perm("accounts.add_user")}
    template = "accounts/user_list.html#rows" if request.htmx else "accounts/user_list.html"
    return render(request, template, context)


@login_required
@permission_required("accounts.add_user", raise_exception=True)
def user_add(request: HttpRequest) -> HttpResponse:
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        messages.success(request, _("Account {username} was created. Now give it a role.").format(username=user.username))
        return redirect("accounts:user", pk=user.pk)
    return render(request, "accounts/user_form.html", {"form": form, "account": None})


@login_required
@permission_required("accounts.view_user", raise_exception=True)
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(User.objects.prefetch_related(_roles()), pk=pk)
    return _detail(request, account, RoleAssignmentForm(instance=RoleAssignment(user=account)))


def _detail(request: HttpRequest, account: User, role_form: RoleAssignmentForm, status: int = 200) -> HttpResponse:
    perms = request.user
    context = {
        "account": account,
        "role_form": role_form,
        "can_change": perms.has_perm("accounts.change_user"),
        "can_assign": perms.has_perm("accounts.add_roleassignment"),
        "can_unassign": perms.has_perm("accounts.delete_roleassignment"),
        "is_self": account.pk == request.user.pk,
    }
    return render(request, "accounts/user_detail.html", context, status=status)


@login_required
@permission_required("accounts.change_user", raise_exception=True)
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(User, pk=pk)
    form = UserEditForm(request.POST or None, instance=account)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The account was saved."))
        return redirect("accounts:user", pk=account.pk)
    return render(request, "accounts/user_form.html", {"form": form, "account": account})


@login_required
@require_POST
@permission_required("accounts.add_roleassignment", raise_exception=True)
def role_add(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(User.objects.prefetch_related(_roles()), pk=pk)
    form = RoleAssignmentForm(request.POST, instance=RoleAssignment(user=account))
    if not form.is_valid():
        return _detail(request, account, form, status=400)
    assignment = form.save()
    messages.success(request, _("{user} now has the role {role}.").format(user=account, role=assignment))
    return redirect("accounts:user", pk=account.pk)


@login_required
@require_POST
@permission_required("accounts.delete_roleassignment", raise_exception=True)
def role_remove(request: HttpRequest, pk: int, role_pk: int) -> HttpResponse:
    assignment = get_object_or_404(RoleAssignment, pk=role_pk, user_id=pk)
    if assignment.user_id == request.user.pk and assignment.role == Role.SYSADMIN:
        messages.error(request, _("You cannot remove your own system administrator role."))
    else:
        label = str(assignment)
        assignment.delete()
        messages.success(request, _("The role {role} was removed.").format(role=label))
    return redirect("accounts:user", pk=pk)


@login_required
@require_POST
@permission_required("accounts.change_user", raise_exception=True)
def user_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(User, pk=pk)
    active = request.POST.get("active") == "1"
    if account.pk == request.user.pk and not active:
        messages.error(request, _("You cannot deactivate your own account."))
        return redirect("accounts:user", pk=pk)
    account.is_active = active
    account.save(update_fields=["is_active"])
    if active:
        messages.success(request, _("Account {username} can log in again.").format(username=account.username))
    else:
        messages.success(request, _("Account {username} is deactivated: it can no longer log in.").format(
            username=account.username))
    return redirect("accounts:user", pk=pk)


@login_required
@permission_required("accounts.change_user", raise_exception=True)
def password_reset(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(User, pk=pk)
    form = PasswordResetForm(account, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        audit.record(AuditAction.UPDATE, account, message=_("password reset by {admin}").format(
            admin=request.user.username))
        messages.success(request, _("The password of {username} was reset. Give it to the user in person; "
                                    "they should change it at their next login.").format(username=account.username))
        return redirect("accounts:user", pk=pk)
    return render(request, "accounts/password_reset.html", {"form": form, "account": account})


@login_required
@permission_required("accounts.change_securitypolicy", raise_exception=True)
def security_policy(request: HttpRequest) -> HttpResponse:
    """The security policy in force (from the settings; changed by configuration, not here)."""
    validators = [
        {"name": type(v).__name__, "help": v.get_help_text()} for v in password_validation.get_default_password_validators()
    ]
    policy = {
        "lockout_failures": settings.ANJIAN_LOCKOUT_FAILURES,
        "lockout_window": settings.ANJIAN_LOCKOUT_WINDOW_MINUTES,
        "idle_timeout": settings.ANJIAN_IDLE_TIMEOUT_MINUTES,
        "session_hours": settings.SESSION_COOKIE_AGE // 3600,
        "secure_cookies": settings.SESSION_COOKIE_SECURE,
        "upload_mb": settings.ANJIAN_UPLOAD_MAX_BYTES / (1024 * 1024),
        "import_mb": settings.ANJIAN_IMPORT_MAX_BYTES / (1024 * 1024),
    }
    return render(request, "accounts/security_policy.html", {"policy": policy, "validators": validators})
