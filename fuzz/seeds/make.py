#!/usr/bin/env python3
"""Writes the fuzz targets' first corpora (fuzz/corpus/<target>/) from the
repository's own examples: the demo register, the texts the tests import,
the hours and periods the unit tests read. Run once before the first
fuzzing; after that the corpora grow by fuzzing and are minimised with
`cargo fuzz cmin` (see fuzz/run). Python's standard library only (zipfile
for the workbooks), so that it runs without building anything."""

import hashlib
import io
import os
import sys
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = os.path.join(ROOT, "fuzz", "corpus")


def put(target, data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    folder = os.path.join(CORPUS, target)
    os.makedirs(folder, exist_ok=True)
    name = "seed-" + hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def read(path):
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        return f.read()


DEMO = read("data/demo/facilities.csv")
DEMO_LINES = DEMO.splitlines(keepends=True)

FACILITY_CSVS = [
    "".join(DEMO_LINES[:6]),
    "".join(DEMO_LINES[:1] + DEMO_LINES[20:24]),
    # tests/it/common.rs DUTCH_CSV
    """naam;organisatie;voorzieningen;adres;postcode;plaats;geopend;gesloten;openbaar;mobiel;ruimtes;capaciteit;openingstijden;bron;geverifieerd;opmerkingen
Demo Huiskamer Centrum;Demo Zorg Utrecht;"gebruiksruimte;spuitomruil";Voorbeeldstraat 1;3511 AB;Utrecht;2015-03-01;;ja;nee;3;12;Mo-Fr 09:00-17:00;telefoon;2026-01-15;drie gescheiden ruimtes
Demo Bewonersruimte;Demo Zorg Utrecht;gebruiksruimte;Demoweg 2;3512 CD;Utrecht;2018-01-01;;nee;nee;1;4;;website;2026-01-15;alleen bewoners
Demo Oude Ruimte;Demo Zorg Amsterdam;gebruiksruimte;Proefkade 3;1012 AB;Amsterdam;2005-01-01;2023-06-01;ja;nee;1;6;;inventarisatie;2022-06-01;
Demo MHU Amsterdam;Demo Zorg Amsterdam;mhu;Oefenplein 4;1013 AB;Amsterdam;2008-05-01;;ja;nee;;60;Mo-Su 08:00-10:00;ladis;2025-12-31;
Demo Apotheek Zwolle;Demo Apotheek;"spuitomruil;naloxon";Testlaan 5;8011 AB;Zwolle;;;ja;nee;;;Mo-Sa 08:00-18:00;;;
""",
    # tests/it/register/register_pages.rs BAD_CSV
    """naam;organisatie;voorzieningen;postcode;plaats;openingstijden
Demo Import Goed;Demo Import Zorg;spuitomruil;3511 AB;Utrecht;Mo-Fr 09:00-17:00
Demo Import Fout;Demo Import Zorg;spuitomruil;99999;Utrecht;Mo-Fr 09:00-17:00
""",
    # tests/it/register/operator_unknown.rs LIST
    """naam,organisatie,diensten,plaats,postcode
Spuitomruil Centrum,,syringe_exchange,Utrecht,3511AB
Spuitomruil Oost,Zorg Oost,syringe_exchange,Utrecht,3581AA
Gebruiksruimte Station,,consumption_room,Zwolle,8011AA
""",
    # English headers, an id that matches the seeded register, a personal column.
    """id,name,organisation,services,street,postcode,city,municipality_code,latitude,longitude,opened_on,closed_on,public_access,opening_hours,phone,source,verified_on,features
1,Demo Gebruiksruimte Het Anker Amsterdam 1,Demo Verslavingszorg West,consumption_room,Fictiefstraat 113,1021 XR,Amsterdam,GM0363,52.38687,4.91797,1997-06-01,,true,Mo-Fr 09:00-17:00,088 000 1001,website: https://example.org,2026-05-01,alcohol_room
,Nieuwe plek,,naloxone,,,Utrecht,,,,01-02-2020,,ja,"ma-vr 9-17; zo gesloten",,telefoon,1/3/2026,
""",
    "naam;organisatie;voorzieningen;plaats;geboortedatum\nDemo;Demo Zorg;naloxon;Utrecht;1980-01-01\n",
    "\ufeffnaam;organisatie;voorzieningen;plaats\n'=1+1;Demo;naloxon;Utrecht\n",
    "naam;plaats\n" + "Caf\xe9 Noord;Utrecht\n",
]

for text in FACILITY_CSVS:
    put("facility_csv", text)
# A Windows-1252 file (the notes say it was decoded).
put("facility_csv", "naam;organisatie;voorzieningen;plaats\nCaf\xe9 Noord;Demo;naloxon;Utrecht\n".encode("cp1252"))

TALLIES = [
    "voorziening;tijdstip;meting;aantal\n1;2026-05-02 10:15;syringes_out;25\n1;2026-05-02 10:16;syringes_out;5\n1;2026-05-03T09:00:00+01:00;syringes_in;12\n",
    "facility_id,at,metric,amount\n1,2026-05-02 10:15,syringes_out,25\n1,2026-05-02 10:16,syringes_out,0\n1,2026-05-02 10:17,syringes_out,1001\n9999,2026-05-02 10:18,syringes_out,1\n1,2026-05-02 10:19,methadone_dispensations,1\n1,gisteren,syringes_out,1\n1,2026-05-02 10:15,syringes_out,25\n",
    "id,facility_id,at,metric,amount\ndevice-0001-a,2,2026-05-31T23:59:59Z,visits,3\ndevice-0001-b,2,2026-10-25 02:30,visits,1\n",
    "facility_id,at,metric,amount,naam\n1,2026-05-02 10:15,syringes_out,25,Jan\n",
]
for text in TALLIES:
    put("tally_csv", text)

REPORTS = [
    "facility_id,periode,Uitgegeven spuiten,Ingeleverd\n1,2026-04,1200,1100\n1,2026-05,1300,1250\n",
    "facility_id,period,syringes_out\n1,2026-03,1250\n",
    "facility_id,period,syringes_out,syringes_in,visits_typo\n1,2026-04,12.500,-3,\n2,2026-Q1,,\n",
    "facility_id,period,syringes_out,syringes_in\n1,2026-05,100,900\n",
    "facility_id,period,syringes_out,syringes_in,toelichting\n1,2026-05,100,900,inzamelactie\n",
    "facility_id,period,syringes_out,Geboortedatum\n1,2026-03,100,1980-01-01\n",
    "facility_id,period,syringes_out,toelichting\n1,2026-03,100,client mailde jan@example.org\n",
    "naam,gemeentecode,periode,visits\nDemo Gebruiksruimte Het Anker Amsterdam 1,GM0363,2026,12 500\n",
]
for text in REPORTS:
    put("report_csv", text)


def column(i):
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def esc(t):
    return t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def sheet_xml(rows, shared):
    """Rows of cells (str: shared string, int/float: number) as worksheet XML."""
    out = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>']
    for r, cells in enumerate(rows, start=1):
        out.append(f'<row r="{r}">')
        for c, v in enumerate(cells):
            ref = f"{column(c)}{r}"
            if v is None or v == "":
                continue
            if isinstance(v, (int, float)):
                out.append(f'<c r="{ref}"><v>{v}</v></c>')
            elif isinstance(v, tuple):  # (date serial,) styled as a date
                out.append(f'<c r="{ref}" s="1"><v>{v[0]}</v></c>')
            else:
                if v not in shared:
                    shared.append(v)
                out.append(f'<c r="{ref}" t="s"><v>{shared.index(v)}</v></c>')
        out.append("</row>")
    out.append("</sheetData></worksheet>")
    return "".join(out)


def strings_xml(shared):
    items = "".join(f"<si><t>{esc(s)}</t></si>" for s in shared)
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{len(shared)}" uniqueCount="{len(shared)}">{items}</sst>')


STYLES = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
          '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
          '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>'
          '<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="164" applyNumberFormat="1"/></cellXfs></styleSheet>')


def xlsx(rows):
    """A real workbook (deflated ZIP), as a spreadsheet program would send it."""
    shared = []
    sheet = sheet_xml(rows, shared)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml",
                   '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                   '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                   '<Default Extension="xml" ContentType="application/xml"/>'
                   '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                   '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                   '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
                   '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
                   '</Types>')
        z.writestr("_rels/.rels",
                   '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                   '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml",
                   '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                   '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
                   '<sheets><sheet name="Blad1" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels",
                   '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                   '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
                   '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
                   '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>')
        z.writestr("xl/worksheets/sheet1.xml", sheet)
        z.writestr("xl/sharedStrings.xml", strings_xml(shared))
        z.writestr("xl/styles.xml", STYLES)
    return buffer.getvalue()


def parts(rows):
    """The worksheet and shared strings, NUL between: the XLSX targets wrap
    such an input into a workbook themselves (fuzz/src/lib.rs)."""
    shared = []
    sheet = sheet_xml(rows, shared)
    return (sheet + "\0" + strings_xml(shared)).encode("utf-8")


FACILITY_ROWS = [
    [["naam", "organisatie", "voorzieningen", "adres", "postcode", "plaats", "geopend", "openbaar", "ruimtes", "openingstijden", "bron", "geverifieerd"],
     ["Demo Huiskamer Centrum", "Demo Zorg Utrecht", "gebruiksruimte;spuitomruil", "Voorbeeldstraat 1", "3511 AB", "Utrecht", (42064,), "ja", 3, "Mo-Fr 09:00-17:00", "telefoon", (46037,)],
     ["Demo Apotheek Zwolle", "Demo Apotheek", "naloxon", "Testlaan 5", "8011 AB", "Zwolle", None, True and "ja", None, "ma-za 8-18", "", ""]],
    [["id", "name", "services", "city", "public_access"],
     [1, "Demo Gebruiksruimte Het Anker Amsterdam 1", "consumption_room", "Amsterdam", "true"],
     [2.5, "Twee", "naloxone", "Utrecht", "nee"]],
]
REPORT_ROWS = [
    [["facility_id", "periode", "syringes_out", "syringes_in"],
     [1, "2026-04", 1200, 1100],
     [1, (46143,), 1300, 1250]],
    [["naam", "gemeentecode", "period", "visits", "toelichting"],
     ["Demo Gebruiksruimte Het Anker Amsterdam 1", "GM0363", "2026-Q1", 12.5, "zomer"]],
]
for rows in FACILITY_ROWS:
    put("facility_xlsx", xlsx(rows))
    put("facility_xlsx", parts(rows))
for rows in REPORT_ROWS:
    put("report_xlsx", xlsx(rows))
    put("report_xlsx", parts(rows))

HOURS = [
    "Mo-Fr 09:00-17:00; Sa 10:00-14:00", "Mo-Su 08:00-10:00", "Mo-Fr 09:00-17:00; PH off",
    "Mo-Fr 09:00-17:00 unknown", "Mo-Su 08:00-10:00,16:00-18:00", "Mo,We,Fr 13:00-16:00",
    "Mo-Fr 09:00-17:00; 2026 Dec 24-2027 Jan 02 off", "Jan-Mar Mo-Fr 09:00-17:00",
    'Mo-Fr 09:00-17:00 "op afspraak"', 'Mo 10:00-12:00 "onbekend of het open is"',
    "Mo-Fr sunrise-sunset; Sa 10:00-12:00", 'Mo-Fr 09:00-17:00 open "op afspraak"',
    "ma-vr 9-17", "ma-vr 9-17; zo gesloten", "maandag tot vrijdag", "ma-vr 9-49",
    "Mo-Fr 09:00-17:00; Sa off; PH off; 2026 Dec 24 off", "PH off; Mo-Fr 09:00-17:00",
    "24/7", "Mo-Fr 22:00-06:00", "week 1-53/2 Mo 10:00+", "Su[1] 10:00-12:00; easter off",
    "Dec 25 off; Mo-Su 00:00-24:00", "dinsdag en donderdag 10:00-12:30",
]
for text in HOURS:
    put("opening_hours", text)

PERIODS = [
    "2025-01", "2025-3", "2025-Q1", "2025Q1", "2025-k4", "2025", "1990", "2100-12", "2025-+3",
    "2024-03-01", "01-03-2024", "1/3/2024", "+02024-01-01", "2024-1-1", "1899-12-31", "2999-12-31",
    "2026-12-03T10:15:00+01:00", "2026-12-03T10:15", "2026-12-03 10:15:00", "2026-10-25 02:30",
    "2026-03-29 02:30", "2022-2026", "20-35", "1468258", "12.5", "35-20", "at least", "at_least",
    "unknown", "onbekend", "≥", "±", "ten minste", "approx", "range", "12.500", "- 12 500",
    "1234567890123456", "month", "kwartaal", "jaar", "",
]
for text in PERIODS:
    put("period_date", text)

PATCHES = [
    '{"name": "Nieuwe naam"}', '{"opening_hours": "ma-vr 9-17"}', '{"closed_on": "2026-05-01"}',
    '{"organisation": "Andere Zorg"}', '{"organisation_id": null, "organisation": null}',
    '{"services": ["naloxone", "syringe_exchange"], "features": ["alcohol_room"]}',
    '{"postcode": "3511 AB", "city": "Utrecht", "street": null, "latitude": null, "longitude": null}',
    '{"latitude": 53.2, "longitude": 6.56}', '{"phone": "+31 30 123 45 67"}',
    '{"rooms": -1, "capacity": 1e20}', '{"name": ["not", "a", "name"]}', '{"nonsense": 1}',
    '{"verified_on": "2026-05-31", "source": "telefoon: balie"}', '{"municipality_code": "GM0344"}',
    '{"max_minutes_per_visit": 30, "max_visits_per_day": 3, "target_groups": "dak- en thuislozen"}',
    '[]', '"text"', '{"notes": "jan@example.org"}', '{"opened_on": "1899-01-01"}',
]
for text in PATCHES:
    put("merge_patch", text)

FORMS = [
    "consumption_room=ja&syringe_exchange=nee&locations.0.name=Demo+Plek&locations.0.postcode=3511+AB&locations.0.place=Utrecht&locations.0.services=consumption_room&locations.0.services=naloxone&actie=opslaan&csrf_token=x",
    "locations.0._facility=1&locations.0.still_open=nee&locations.0.closed_on=2026-05-01&locations.3.name=Gat&locations.3.rooms=2",
    "locations.0.opening_hours=ma-vr+9-17&locations.0.capacity=12.000&locations.0.public_access=yes&locations.0.referral_required=0",
    "locations.0.rooms=veel&heroin_unit=misschien&locations.9999.name=x&locations.01.name=y",
    "remarks=bel+jan%40example.org+of+06-12345678&methadone_clinic=true",
    "locations.0._facility=abc&locations.1._facility=-3",
]
for text in FORMS:
    put("answer_form", text)

print("seeded", CORPUS, file=sys.stderr)
