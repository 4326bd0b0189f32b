from sqlalchemy import text


def postgis_version(session) -> str:
    return session.execute(text("SELECT postgis_lib_version()")).scalar_one()
