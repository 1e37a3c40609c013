"""Results into records (结果运用): proposals by configurable rules, approval with a document
number, the cadre's dossier (实绩档案) and certificates (荣誉证书) with a public verification code."""
