# Generates data/demo/facilities.csv: an invented, clearly labelled demo register
# whose counts on 2026-07-01 (the demo's round 2026) are the published Table 1:
# 23 public consumption rooms in 14 cities (24 in 2022, 37 in 2010; 2 with an
# alcohol room, 1 for soft drugs only, 1 mobile, 2 with three rooms), 17
# heroin units in 16 cities, 29 syringe-exchange points in 19 cities (read
# "at least"), and methadone clinics (read "unknown"). Four heroin units are
# listed as the official allocation names them, by municipality, without the
# institution that runs them (the "to find out" page's operator unknown).
# Run from the repository root:
#   python3 data/demo/generate.py
# Output is deterministic (seeded). tests/it/rounds/demo_round.rs checks the
# counts against data/published_figures.csv.
import csv, random
random.seed(2026)
pcs={}
for r in csv.DictReader(open('data/nl/postcodes.csv')):
    pcs.setdefault(r['municipality'],[]).append(r)
def place(city):
    key={"Den Bosch":"'s-Hertogenbosch"}.get(city,city)
    rows=[r for r in pcs[key] if r['place'] in (key, city, "'s-Gravenhage")] or pcs[key]
    r=random.choice(rows[:12])
    letters=random.choice("ABCDEGHJKLMNPRTVWXZ")+random.choice("ABCDEGHJKLMNPRTVWXZ")
    lat=float(r['latitude'])+random.uniform(-0.004,0.004)
    lon=float(r['longitude'])+random.uniform(-0.006,0.006)
    return f"{r['pc4']} {letters}", f"{lat:.5f}", f"{lon:.5f}"
streets=["Voorbeeldstraat","Demoweg","Proefkade","Oefenplein","Testlaan","Schetsgracht","Modelsingel","Fictiefstraat"]
def street(): return f"{random.choice(streets)} {random.randint(1,140)}"
ORG={
 'vz_n':"Demo Verslavingszorg Noord", 'vz_o':"Demo Verslavingszorg Oost", 'vz_z':"Demo Verslavingszorg Zuid",
 'vz_w':"Demo Verslavingszorg West", 'vz_m':"Demo Verslavingszorg Midden",
 'mo':"Demo Stichting Opvang Nederland", 'ggd':"Demo GGD Regio", 'apo':"Demo Apotheek Groep",
 'vrij':"Demo Straatpastoraat (vrijwilligers)", 'gem':"Demo Gemeente Projectbureau",
}
region={"Amsterdam":'vz_w',"Haarlem":'vz_w',"Zaanstad":'vz_w',"Alkmaar":'vz_w',"Almere":'vz_m',"Lelystad":'vz_m',"Rotterdam":'vz_w',"Den Haag":'vz_w',"Leiden":'vz_w',"Dordrecht":'vz_w',
 "Utrecht":'vz_m',"Amersfoort":'vz_m',"Hilversum":'vz_m',"Groningen":'vz_n',"Leeuwarden":'vz_n',"Emmen":'vz_n',"Assen":'vz_n',"Zwolle":'vz_o',"Enschede":'vz_o',"Deventer":'vz_o',"Apeldoorn":'vz_o',"Arnhem":'vz_o',"Nijmegen":'vz_o',
 "Eindhoven":'vz_z',"Maastricht":'vz_z',"Heerlen":'vz_z',"Breda":'vz_z',"Tilburg":'vz_z',"Den Bosch":'vz_z',"Venlo":'vz_z',"Middelburg":'vz_z'}
rows=[]
def add(name,org,services,city,opened="",closed="",public="ja",mobile="nee",rooms="",cap="",hours="",ref="",intake="",groups="",maxmin="",maxvis="",source="inventarisatie: Trimbos 2022",verified="2022-06-01",notes=""):
    pc,lat,lon=place(city)
    rows.append(dict(naam=name,organisatie=ORG[org] if org else "",voorzieningen=services,adres=street(),postcode=pc,plaats=city,telefoon="",breedtegraad=lat,lengtegraad=lon,
      geopend=opened,gesloten=closed,openbaar=public,mobiel=mobile,ruimtes=rooms,capaciteit=cap,openingstijden=hours,verwijzing_nodig=ref,intake_nodig=intake,
      doelgroepen=groups,max_minuten_per_bezoek=maxmin,max_bezoeken_per_dag=maxvis,bron=source,geverifieerd=verified,kenmerken="",opmerkingen=notes))
H_DCR=["Mo-Fr 09:00-17:00","Mo-Su 10:00-18:00","Mo-Sa 08:30-16:30","Mo-Fr 10:00-16:00; Sa 12:00-16:00","Mo-Su 09:00-21:00"]
# consumption rooms open today: 23 in 14 cities
dcr=[("Amsterdam",5),("Rotterdam",3),("Den Haag",2),("Utrecht",2),("Groningen",2),("Eindhoven",1),("Arnhem",1),("Nijmegen",1),("Enschede",1),("Maastricht",1),("Heerlen",1),("Leeuwarden",1),("Zwolle",1),("Haarlem",1)]
names=["De Haven","Het Anker","De Brug","Het Baken","De Vuurtoren","De Steiger","Het Veer","De Sluis","De Kade","Het Havenhuis"]
i=0
for city,n in dcr:
    for k in range(n):
        i+=1
        nm=f"Demo Gebruiksruimte {names[i%len(names)]} {city}" + (f" {k+1}" if n>1 else "")
        extra=["consumption_room"]
        if i%3!=0: extra.append("syringe_exchange")
        if i%2==0: extra+=["paraphernalia","naloxone"]
        opened=f"{random.randint(1996,2009)}-{random.randint(1,12):02d}-01"
        kw={}
        if i in (4,11): kw['rooms']="3"; kw['notes']="drie gescheiden ruimtes (injecteren, roken, snuiven)"
        else: kw['rooms']=random.choice(["1","1","2"])
        kw['cap']=str(random.choice([6,8,10,12,14]))
        add(nm,region[city] if i%5 else 'mo',";".join(extra),city,opened=opened,hours=random.choice(H_DCR),intake="ja",groups="volwassenen die drugs gebruiken; dak- en thuislozen",maxmin=random.choice(["30","45","60"]),maxvis=random.choice(["3","4",""]),**kw)
# the two opened after 2022; one mobile
add("Demo Gebruikscamper Oosterpark","mo","consumption_room;naloxone","Amsterdam",opened="2025-03-15",mobile="ja",rooms="1",cap="2",hours="Mo-Fr 19:00-23:00",intake="nee",groups="mensen die roken of injecteren in de openbare ruimte",maxmin="30",source="website: demo.example/camper",verified="2025-04-01",notes="mobiele ruimte (camper) op één vaste plek")
# replace one Amsterdam room by count: we now have 24 open; make one of the Amsterdam ones opened 2024 instead (counts as opened since 2022) and close one Amsterdam 2023
rows[1]['geopend']="2024-09-01"; rows[1]['bron']="vragenlijst: inventarisatie 2026"; rows[1]['geverifieerd']="2026-03-01"
rows[2]['gesloten']="2026-02-01"
# closed between 2022 and 2026: 3 (one is rows[2]); add 2 more
add("Demo Gebruiksruimte De Overloop Venlo","vz_z","consumption_room;syringe_exchange","Venlo",opened="2001-05-01",closed="2023-07-01",hours="Mo-Fr 10:00-16:00",rooms="1",cap="6")
add("Demo Gebruiksruimte Het Portaal Tilburg","vz_z","consumption_room","Tilburg",opened="1999-10-01",closed="2024-01-01",hours="Mo-Fr 10:00-16:00",rooms="1",cap="8")
# closed between 2010 and 2022: 13
for j,city in enumerate(["Amsterdam","Amsterdam","Rotterdam","Rotterdam","Den Haag","Utrecht","Alkmaar","Dordrecht","Deventer","Apeldoorn","Breda","Den Bosch","Leiden"]):
    yr=2011+j%10
    add(f"Demo Gebruiksruimte {['De Oude Haven','Het Wachthuis','De Schuilplaats','Het Station','De Loods','Het Hofje','De Poort'][j%7]} {city}",region[city],"consumption_room",city,opened=f"{1995+j}-01-01",closed=f"{yr}-{(j%12)+1:02d}-01",rooms="1",cap="6",source="inventarisatie: Trimbos 2010",verified="2010-06-01")
# residents-only room (not public)
add("Demo Woonvoorziening De Beschutting (bewonersruimte)","mo","consumption_room","Rotterdam",opened="2015-01-01",public="nee",rooms="1",cap="4",groups="alleen bewoners",notes="alleen voor bewoners; telt niet mee in publieke tellingen")
# the published facts about the rooms open today: two also have an alcohol
# room, one is for soft drugs only
for r in rows:
    if r['naam'] in ("Demo Gebruiksruimte Het Baken Groningen 1","Demo Gebruiksruimte Het Havenhuis Maastricht"): r['kenmerken']="alcoholruimte"
    if r['naam']=="Demo Gebruiksruimte De Steiger Eindhoven": r['kenmerken']="alleen_softdrugs"
# MHUs: 17 in 16 cities; four as the official allocation names them (a
# municipality, not the institution that runs the unit)
ALLOCATION=("Almere","Apeldoorn","Breda","Leeuwarden")
mhu=[("Amsterdam","90"),("Amsterdam","60"),("Rotterdam","90"),("Den Haag","80"),("Utrecht","35"),("Groningen","30"),("Heerlen","30"),("Almere","20"),("Apeldoorn","20"),("Arnhem","25"),("Breda","25"),("Eindhoven","35"),("Enschede","25"),("Haarlem","20"),("Zwolle","20"),("Nijmegen","30"),("Leeuwarden","20")]
for k,(city,cap) in enumerate(mhu):
    nm=f"Demo MHU {city}"+(" Zuid" if k==1 else "")
    kw=dict(source="ladis",verified="2025-12-31")
    if city in ALLOCATION: kw=dict(source="overig: Regeling heroïnebehandeling, toewijzing per gemeente",verified="2025-01-01",notes="de toewijzing noemt de gemeente, niet de instelling: exploitant nog uitzoeken")
    add(nm,None if city in ALLOCATION else region[city],"heroin_unit",city,opened=f"{random.choice([1998,2004,2006,2008])}-{random.randint(1,12):02d}-01",cap=cap,hours="Mo-Su 08:00-10:00,16:00-18:00",ref="ja",intake="ja",groups="patiënten met een heroïnebehandeling",maxmin="30",maxvis="3",**kw)
# methadone clinics
for k,city in enumerate(["Amsterdam","Rotterdam","Den Haag","Utrecht","Groningen","Eindhoven","Tilburg","Breda","Arnhem","Nijmegen","Enschede","Zwolle","Maastricht","Alkmaar","Dordrecht"]):
    add(f"Demo Medicatiepoli {city}",region[city],"methadone_clinic" + (";naloxone" if k%3==0 else ""),city,opened="",hours="Mo-Fr 08:30-12:00",ref="ja",intake="ja",groups="cliënten in een methadonprogramma",source="ladis: kerncijfers 2024",verified="2025-06-01")
# syringe exchange points beyond the rooms: pharmacies, GGD, shelters;
# three of them closed before the round (2026-07-01) and one opened, so the
# round counts 29 in 19 cities
CLOSED={"Middelburg":("2025-09-01","de vrijwilligers zijn gestopt"),"Emmen":("2025-06-01","apotheek gestopt met spuitomruil"),"Venlo":("2024-12-01","dagopvang verhuisd naar Roermond, zonder omruil")}
for k,city in enumerate(["Amsterdam","Rotterdam","Den Haag","Utrecht","Leiden","Amersfoort","Hilversum","Middelburg","Emmen","Assen","Lelystad","Zaanstad","Den Bosch","Deventer","Venlo"]):
    kind=['apo','ggd','mo','vrij'][k%4]
    label={'apo':'Apotheek','ggd':'GGD-spuitomruilpunt','mo':'Dagopvang','vrij':'Straatpastoraat'}[kind]
    services="syringe_exchange" + (";paraphernalia" if k%2==0 else "") + (";naloxone" if k%5==0 else "")
    closed,why=CLOSED.get(city,("",""))
    add(f"Demo {label} {city}",kind,services,city,opened="" if k%3 else f"{2005+k}-01-01",closed=closed,hours=["Mo-Fr 08:00-18:00; Sa 09:00-17:00","Mo,We,Fr 13:00-16:00","Mo-Su 09:00-17:00","Tu,Th 19:00-22:00"][k%4],intake="nee",groups="mensen die injecteren",source=["telefoon","website","vragenlijst: inventarisatie 2026"][k%3],verified="2026-04-15" if k%2 else "2024-10-01",notes=why)
add("Demo GGD-spuitomruilpunt Amsterdam","ggd","syringe_exchange;naloxone","Amsterdam",opened="2025-11-01",hours="Mo,We,Fr 13:00-16:00",intake="nee",groups="mensen die injecteren",source="vragenlijst: inventarisatie 2026",verified="2026-04-15")
# public phone numbers on three rows in four
for n,r in enumerate(rows):
    if n%4!=3: r['telefoon']=f"088 000 {1001+n}"
# one facility known only by its town
for r in rows:
    if r['naam']=="Demo Medicatiepoli Zwolle": r.update(adres="",postcode="",breedtegraad="",lengtegraad="",telefoon="")
fields=list(rows[0].keys())
with open('data/demo/facilities.csv','w',newline='') as f:
    w=csv.DictWriter(f,fieldnames=fields,delimiter=';'); w.writeheader(); w.writerows(rows)
print(len(rows))
