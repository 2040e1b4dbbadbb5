"Every run record committed in nbs/records/ reads back, says where it comes from, and is a result rather than a smoke run."
import json
from pathlib import Path
import pytest
from slowcnn.records import describe_record, read_record

RECORDS = sorted((Path(__file__).parent.parent/'nbs'/'records').glob('*.json'))

def test_there_are_records():
    assert len(RECORDS) >= 20, RECORDS

@pytest.mark.parametrize('path', RECORDS, ids=lambda p: p.name)
def test_record_reads_back_with_its_provenance(path):
    rec = read_record(path)
    for key in ('command', 'date', 'machine', 'versions', 'git'): assert key in rec, f'{path.name} has no {key!r}'
    assert rec['machine'].get('cpu') and rec['machine'].get('device'), path.name  # the machine is named
    assert rec['versions'].get('torch'), path.name
    assert rec.get('smoke') is not True, f'{path.name} is a smoke run: smoke runs are not committed as results'
    assert '\n' not in describe_record(rec) and rec['command'] in describe_record(rec)  # one line that names the command
    json.loads(path.read_text(), parse_constant=lambda c: pytest.fail(f'{path.name} holds {c}, which is not standard JSON'))
