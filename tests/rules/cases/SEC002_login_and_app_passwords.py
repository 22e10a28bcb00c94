# codes: SEC002
# Passwords passed positionally to a login method (smtplib, ftplib, imaplib, API clients),
# and app passwords as providers show them (four groups of four letters).
# %%
import ftplib
import imaplib
import os
import smtplib

# %%
with smtplib.SMTP_SSL("smtp.gmail.com", 465) as server:
    # ruleid: SEC002
    server.login("reports@acme.io", "qwhz kmrt vbxp lnse")
    # ok: SEC002
    server.login("reports@acme.io", os.environ["SMTP_PASSWORD"])

# %%
ftp = ftplib.FTP("ftp.vendor.example")
# ruleid: SEC002
ftp.login("acme_upload", "T7r!x9Qm#2vL")
# ok: SEC002
ftp.login()
mail = imaplib.IMAP4_SSL("imap.acme.io")
# ok: SEC002
mail.login("ops@acme.io", "<your password>")
# ok: SEC002
mail.login(user, password)

# %%
# ruleid: SEC002
SMTP_PASSWORD = "abcd efgh ijkl mnop"
# ok: SEC002
greeting = "good luck with this"
# ok: SEC002
password_hint = "use the one from the vault"

# %%
import tableauserverclient as TSC

# ruleid: SEC002
pat = TSC.PersonalAccessTokenAuth("weekly", "q7Xw2LmZp9RkT4vB8nYc1A==:Hs8dK2mQ9xTzLw4RbN7pV1cYe6GuJ3aF", site_id="acme")
# ok: SEC002
pat2 = TSC.PersonalAccessTokenAuth("weekly", os.environ["TABLEAU_PAT"], site_id="acme")
# ruleid: SEC002
basic = TSC.TableauAuth("svc_reports", "Wq8!zR3#kP5m", site_id="acme")
