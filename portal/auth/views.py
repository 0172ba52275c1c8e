from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from portal.auth import services, sessions, throttle
from portal.auth.forms import (
    EmptyForm,
    ForgotPasswordForm,
    LoginForm,
    RegisterForm,
    ResetPasswordForm,
)
from portal.auth.models import ROLE_LABELS, User
from portal.auth.permissions import public, signed_in
from portal.extensions import db, limiter, writes_on_get

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
    if user.has_role("agent"):
        return url_for("landing.home")
    if user.has_role("candidate"):
        return url_for("candidate.dashboard")
    return url_for("auth.account")


def _safe_next(target: str | None) -> str | None:
    """Only same-site relative paths: an open redirect would help phishing. Backslashes and
    control characters are refused outright (browsers read `/\\host` as `//host`)."""
    if not target or "\\" in target or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _same_site_path(url: str | None) -> str | None:
    """The path and query of a URL on this site (e.g. the Referer), else None."""
    if not url:
        return None
    parts = urlsplit(url)
    if parts.netloc and parts.netloc != request.host:
        return None
    return _safe_next(parts.path + (f"?{parts.query}" if parts.query else ""))


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _register_limit() -> str:
    return current_app.config["REGISTER_RATE_LIMIT"]


def _reset_limit() -> str:
    return current_app.config["RESET_RATE_LIMIT"]


def _email_key() -> str:
    return "email:" + (request.form.get("email") or "").strip().lower()


def _attempt_source(email: str) -> throttle.Source:
    device = throttle.device_for(User.by_email(email), request.cookies.get(throttle.DEVICE_COOKIE))
    return throttle.Source(address=request.remote_addr or "", device=device)


@bp.route("/register", methods=["GET", "POST"])
@public
@limiter.limit(_register_limit, methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            services.register_candidate(form.email.data, form.full_name.data,
                                        form.password.data)
        except services.AccountError as error:
            form.password.errors.append(str(error))
        else:
            db.session.commit()
            # The same answer whether or not the address already had an account.
            flash(f"Thank you. We sent an email to {form.email.data.strip().lower()}: follow "
                  "its link to verify your address, then log in.", "success")
            return redirect(url_for("auth.login", next=_safe_next(request.args.get("next"))))
    return render_template("auth/register.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form)
    email = form.email.data.strip().lower()
    source = _attempt_source(email)
    wait = throttle.seconds_to_wait(email, source)
    if wait:
        form.password.errors.append(
            f"Too many failed attempts. Please wait {wait} second{'s' if wait != 1 else ''} "
            "and try again, or reset your password.")
        return render_template("auth/login.html", form=form), 429
    user = services.authenticate(email, form.password.data)
    if user is None:
        throttle.failed(email, source)
        db.session.commit()  # the audit of a throttled account, if any
        form.password.errors.append("Email or password is incorrect.")
        return render_template("auth/login.html", form=form)
    throttle.succeeded(email, source)
    sessions.sign_in(user, remember=form.remember.data)
    db.session.commit()
    response = redirect(_safe_next(request.args.get("next")) or home_for(user))
    response.set_cookie(
        throttle.DEVICE_COOKIE,
        throttle.device_cookie_value(user, request.cookies.get(throttle.DEVICE_COOKIE)),
        max_age=throttle.DEVICE_COOKIE_DAYS * 86400, httponly=True, samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


@bp.post("/logout")
@signed_in
def logout():
    if EmptyForm().validate_on_submit():
        sessions.sign_out()
        db.session.commit()
        flash("You are logged out.", "info")
    return redirect(url_for("careers.index"))


@bp.post("/account/sessions/end-others")
@signed_in
def end_other_sessions():
    if EmptyForm().validate_on_submit():
        ended = sessions.sign_out_elsewhere(current_user._get_current_object())
        db.session.commit()
        flash(f"Signed out of {ended} other device(s) or browser(s).", "success")
    return redirect(url_for("auth.account"))


@bp.get("/verify/<token>")
@public
@writes_on_get
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
    # Back to the page the banner was on.
    return redirect(_safe_next(request.form.get("next"))
                    or _same_site_path(request.referrer) or home_for(current_user))


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
        sessions.sign_out()
        db.session.commit()
        flash("Your password is changed. Log in with the new one.", "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form)


@bp.get("/account")
@signed_in
def account():
    return render_template("auth/account.html", sessions=sessions.active_for(current_user),
                           is_current=sessions.is_current, device_label=sessions.device_label,
                           end_form=EmptyForm())
