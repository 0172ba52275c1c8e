from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from portal.auth import services
from portal.auth.forms import (
    EmptyForm,
    ForgotPasswordForm,
    LoginForm,
    RegisterForm,
    ResetPasswordForm,
)
from portal.auth.models import ROLE_LABELS
from portal.auth.permissions import public, signed_in
from portal.extensions import db, limiter

bp = Blueprint("auth", __name__, template_folder="templates")


@bp.app_context_processor
def _role_labels():
    return {"role_labels": ROLE_LABELS}


def home_for(user) -> str:
    """Where a user lands after logging in: their work, by role."""
    if user.has_role("manager"):
        return url_for("pipeline.index")
    if user.has_role("admin"):
        return url_for("admin.users")
    if user.has_role("candidate", "agent"):
        return url_for("candidate.dashboard")
    return url_for("auth.account")


def _safe_next(target: str | None) -> str | None:
    """Only same-site relative paths: an open redirect would help phishing."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _register_limit() -> str:
    return current_app.config["REGISTER_RATE_LIMIT"]


def _reset_limit() -> str:
    return current_app.config["RESET_RATE_LIMIT"]


def _email_key() -> str:
    return "email:" + (request.form.get("email") or "").strip().lower()


@bp.route("/register", methods=["GET", "POST"])
@public
@limiter.limit(_register_limit, methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = services.register_candidate(form.email.data, form.full_name.data,
                                               form.password.data)
        except services.AccountError as error:
            form.email.errors.append(str(error))
        else:
            db.session.commit()
            login_user(user)
            flash("Welcome! We sent you an email: click its link to verify your address.",
                  "success")
            return redirect(_safe_next(request.args.get("next")) or home_for(user))
    return render_template("auth/register.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(_login_limit, methods=["POST"], key_func=_email_key)
def login():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            form.password.errors.append("Email or password is incorrect.")
        else:
            db.session.commit()
            login_user(user, remember=form.remember.data)
            return redirect(_safe_next(request.args.get("next")) or home_for(user))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@signed_in
def logout():
    if EmptyForm().validate_on_submit():
        logout_user()
        flash("You are logged out.", "info")
    return redirect(url_for("careers.index"))


@bp.get("/verify/<token>")
@public
def verify_email(token: str):
    try:
        services.verify_email(token)
    except services.AccountError as error:
        flash(str(error), "danger")
        return redirect(url_for("careers.index"))
    db.session.commit()
    flash("Thank you, your email address is verified.", "success")
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    return redirect(url_for("auth.login"))


@bp.post("/verify/resend")
@signed_in
@limiter.limit(_reset_limit)
def resend_verification():
    if EmptyForm().validate_on_submit() and not current_user.is_verified:
        services.send_verification(current_user)
        db.session.commit()
        flash(f"We sent a new verification link to {current_user.email}.", "info")
    return redirect(request.referrer if _safe_next(request.referrer) else home_for(current_user))


@bp.route("/password/forgot", methods=["GET", "POST"])
@public
@limiter.limit(_reset_limit, methods=["POST"])
@limiter.limit(_reset_limit, methods=["POST"], key_func=_email_key)
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        db.session.commit()
        flash("If an account exists for that address, a reset link is on its way.", "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@public
@limiter.limit(_reset_limit, methods=["POST"])
def reset_password(token: str):
    try:
        user = services.user_for_reset_token(token)
    except services.AccountError as error:
        flash(str(error), "danger")
        return redirect(url_for("auth.forgot_password"))
    form = ResetPasswordForm(account_email=user.email, account_name=user.full_name)
    if form.validate_on_submit():
        services.reset_password(token, form.password.data)
        db.session.commit()
        logout_user()
        flash("Your password is changed. Log in with the new one.", "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form)


@bp.get("/account")
@signed_in
def account():
    return render_template("auth/account.html")
