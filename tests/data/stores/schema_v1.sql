BEGIN TRANSACTION;
CREATE TABLE claims (
	claim_id TEXT NOT NULL, 
	statement_date TEXT, 
	date_precision TEXT, 
	claimant TEXT, 
	claimant_role TEXT, 
	claimant_country_code TEXT, 
	stance TEXT, 
	groups TEXT, 
	territory_code TEXT, 
	accused_country_code TEXT, 
	figure TEXT, 
	figure_unit TEXT, 
	quote TEXT, 
	source TEXT, 
	source_ref TEXT, 
	notes TEXT, 
	upload_id TEXT NOT NULL, 
	PRIMARY KEY (claim_id), 
	FOREIGN KEY(upload_id) REFERENCES uploads (upload_id)
);
INSERT INTO "claims" VALUES('OLD-C1',NULL,NULL,NULL,NULL,NULL,'accuses','TTP','AFG',NULL,NULL,NULL,NULL,NULL,NULL,NULL,'20261201T232519-b66c00');
CREATE TABLE geocode_cache (
	"key" TEXT NOT NULL, 
	json TEXT NOT NULL, 
	created_at TEXT NOT NULL, 
	PRIMARY KEY ("key")
);
INSERT INTO "geocode_cache" VALUES('invented place|PAK','{"latitude": 34.0, "longitude": 71.0}','2026-12-01T23:25:19.492245Z');
CREATE TABLE incident_versions (
	version_id INTEGER NOT NULL, 
	incident_id TEXT NOT NULL, 
	event_date TEXT, 
	date_precision TEXT, 
	event_type TEXT, 
	sub_event_type TEXT, 
	actor1 TEXT, 
	actor2 TEXT, 
	claimed_by TEXT, 
	location TEXT, 
	admin2 TEXT, 
	admin1 TEXT, 
	admin1_code TEXT, 
	country TEXT, 
	country_code TEXT, 
	latitude FLOAT, 
	longitude FLOAT, 
	geo_precision INTEGER, 
	geocode_source TEXT, 
	killed INTEGER, 
	injured INTEGER, 
	killed_low INTEGER, 
	killed_high INTEGER, 
	casualty_note TEXT, 
	cross_border INTEGER, 
	origin_country_code TEXT, 
	source TEXT, 
	source_ref TEXT, 
	notes TEXT, 
	border_distance_km FLOAT, 
	qa_flags TEXT, 
	upload_id TEXT NOT NULL, 
	row_hash TEXT NOT NULL, 
	superseded_by TEXT NOT NULL, 
	superseded_at TEXT NOT NULL, 
	PRIMARY KEY (version_id), 
	FOREIGN KEY(upload_id) REFERENCES uploads (upload_id), 
	FOREIGN KEY(superseded_by) REFERENCES uploads (upload_id)
);
INSERT INTO "incident_versions" VALUES(1,'OLD-1','2023-05-01','day','Battles','Armed clash','Invented actor',NULL,NULL,'Invented place 0',NULL,'Khyber Pakhtunkhwa','PK-KP','Pakistan','PAK',34.1,71.2,1,'provided',NULL,NULL,NULL,NULL,NULL,NULL,NULL,'Synthetic test source',NULL,'Made-up row 0 written by an older store',20.0,NULL,'20261201T232519-15f496','69e14aafe9639e7d9893dcd6acb414b40c3c44db','20261201T232519-b66c00','2026-12-01T23:25:19.478270Z');
CREATE TABLE incidents (
	incident_id TEXT NOT NULL, 
	event_date TEXT, 
	date_precision TEXT, 
	event_type TEXT, 
	sub_event_type TEXT, 
	actor1 TEXT, 
	actor2 TEXT, 
	claimed_by TEXT, 
	location TEXT, 
	admin2 TEXT, 
	admin1 TEXT, 
	admin1_code TEXT, 
	country TEXT, 
	country_code TEXT, 
	latitude FLOAT, 
	longitude FLOAT, 
	geo_precision INTEGER, 
	geocode_source TEXT, 
	killed INTEGER, 
	injured INTEGER, 
	killed_low INTEGER, 
	killed_high INTEGER, 
	casualty_note TEXT, 
	cross_border INTEGER, 
	origin_country_code TEXT, 
	source TEXT, 
	source_ref TEXT, 
	notes TEXT, 
	border_distance_km FLOAT, 
	qa_flags TEXT, 
	upload_id TEXT NOT NULL, 
	row_hash TEXT NOT NULL, 
	PRIMARY KEY (incident_id), 
	FOREIGN KEY(upload_id) REFERENCES uploads (upload_id)
);
INSERT INTO "incidents" VALUES('OLD-2','2023-05-02','day','Battles','Armed clash','Invented actor',NULL,NULL,'Invented place 1',NULL,'Khyber Pakhtunkhwa','PK-KP','Pakistan','PAK',34.11,7.12100000000000079572e+01,1,'provided',2,NULL,NULL,NULL,NULL,NULL,NULL,'Synthetic test source',NULL,'Made-up row 1 written by an older store',21.0,NULL,'20261201T232519-15f496','9ca6a5725df97819124b6d3bc0f58d3233ee2cc7');
INSERT INTO "incidents" VALUES('OLD-3','2023-05-03','day','Battles','Armed clash','Invented actor',NULL,NULL,'Invented place 2',NULL,'Khyber Pakhtunkhwa','PK-KP','Pakistan','PAK',3.41200000000000045483e+01,71.22,1,'provided',0,NULL,NULL,NULL,NULL,NULL,NULL,'Synthetic test source',NULL,'Made-up row 2 written by an older store',22.0,NULL,'20261201T232519-15f496','3540c74944531d5322d0f02c9cc23c6c67a748fa');
INSERT INTO "incidents" VALUES('OLD-1','2023-05-01','day','Battles','Armed clash','Invented actor',NULL,NULL,'Invented place 0',NULL,'Khyber Pakhtunkhwa','PK-KP','Pakistan','PAK',34.1,71.2,1,'provided',5,NULL,NULL,NULL,NULL,NULL,NULL,'Synthetic test source',NULL,'Revised by a second upload',20.0,NULL,'20261201T232519-b66c00','0d3761fa73260971a08f44c2d5c0ea9a21a52cfe');
CREATE TABLE meta (
	"key" TEXT NOT NULL, 
	value TEXT, 
	PRIMARY KEY ("key")
);
INSERT INTO "meta" VALUES('schema_version','1');
INSERT INTO "meta" VALUES('store_id','9793fc5e92de80b5');
INSERT INTO "meta" VALUES('revision','4');
INSERT INTO "meta" VALUES('seeded','skipped');
CREATE TABLE uploads (
	seq INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, 
	upload_id TEXT NOT NULL, 
	file TEXT, 
	sha256 TEXT, 
	format TEXT, 
	created_at TEXT NOT NULL, 
	rows_read INTEGER DEFAULT '0' NOT NULL, 
	accepted INTEGER DEFAULT '0' NOT NULL, 
	rejected INTEGER DEFAULT '0' NOT NULL, 
	updated INTEGER DEFAULT '0' NOT NULL, 
	duplicates INTEGER DEFAULT '0' NOT NULL, 
	geocoded INTEGER DEFAULT '0' NOT NULL, 
	undone_at TEXT, 
	report TEXT, 
	UNIQUE (upload_id)
);
INSERT INTO "uploads" VALUES(1,'20261201T232519-15f496','old_first.csv','aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa','native','2026-12-01T23:25:19.468848Z',3,3,0,0,0,0,NULL,NULL);
INSERT INTO "uploads" VALUES(2,'20261201T232519-b66c00','old_fix.csv','bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb','native','2026-12-01T23:25:19.478270Z',1,1,0,1,0,0,NULL,NULL);
INSERT INTO "uploads" VALUES(3,'20261201T232519-592be0','old_third.csv','cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc','native','2026-12-01T23:25:19.487860Z',1,1,0,0,0,0,'2026-12-01T23:25:19.488938Z',NULL);
CREATE INDEX ix_incidents_upload ON incidents (upload_id);
CREATE INDEX ix_versions_incident ON incident_versions (incident_id);
CREATE INDEX ix_versions_upload ON incident_versions (upload_id);
CREATE INDEX ix_versions_superseded_by ON incident_versions (superseded_by);
DELETE FROM "sqlite_sequence";
INSERT INTO "sqlite_sequence" VALUES('uploads',3);
COMMIT;
