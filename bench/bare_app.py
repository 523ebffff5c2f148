"""The baseline of the morning benchmark: a bare FastAPI app reading the same database through SQLAlchemy."""

import os

from fastapi import FastAPI
from sqlalchemy import create_engine, text

engine = create_engine(os.environ["BENCH_DATABASE_URL"], pool_size=10, max_overflow=20)
app = FastAPI()
QUERY = text("SELECT seq, name, start_time, location FROM planned_activity "
             "WHERE county = :county AND month = :month AND station_code = :code ORDER BY seq")


@app.get("/bare/{county}/{code}/{month}")
def read(county: str, code: str, month: str) -> list[dict]:
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(QUERY, {"county": county, "code": code, "month": month})]
