-- notify_prefs: which channels an account wants notices on, besides the
-- portal inbox (always): channels is a comma list of email, sms, wechat;
-- the addresses are those the account entered on its notices page
-- (wechat_openid: its OpenID with the agency's official account).
CREATE TABLE notify_prefs (
    user_id       BIGINT PRIMARY KEY,
    channels      TEXT NOT NULL DEFAULT '',
    email         TEXT NOT NULL DEFAULT '',
    phone         TEXT NOT NULL DEFAULT '',
    wechat_openid TEXT NOT NULL DEFAULT '',
    updated_at    @TS@ NOT NULL
);
