# codes: SEC002, SEC003
# JDBC URLs carry credentials as ;name=value properties: a password there is a credential
# in a URL (SEC003, like ODBC and libpq connection strings), not also SEC002. Made-up values.
# %%
# ruleid: SEC003
jdbc_url = "jdbc:sqlserver://sql01.internal:1433;databaseName=crm;user=sa;password=Falcon7031-jqa"
# ruleid: SEC003
odbc = "Driver={ODBC Driver 18 for SQL Server};Server=sql01;Database=crm;UID=sa;PWD=Falcon7031-jqa;"
# ruleid: SEC003
df = spark.read.jdbc("jdbc:sqlserver://sql01:1433;database=crm;password=Qw3rTy9Uo2Pz;encrypt=true", "dbo.orders")
# ok: SEC002, SEC003
safe = "jdbc:sqlserver://sql01.internal:1433;databaseName=crm;user=sa;password={pw}"
# ok: SEC002, SEC003
template = "jdbc:sqlserver://sql01.internal:1433;databaseName=crm;user=sa;password=${DB_PASSWORD}"
# ok: SEC002, SEC003
plain = "jdbc:sqlserver://sql01.internal:1433;databaseName=crm;integratedSecurity=true;encrypt=true"
# ruleid: SEC002
# ok: SEC003
note = "timeout=30;password=Qw3rTy9Uo2Pz; not a URL"

# %%
# ruleid: SEC003
!java -jar loader.jar "jdbc:sqlserver://sql01:1433;databaseName=crm;user=sa;password=Qw3rTy9Uo2Pz"

# %%
%%bash
# ruleid: SEC003
sqlcmd-wrapper --url 'jdbc:sqlserver://sql01:1433;databaseName=crm;user=sa;password=Qw3rTy9Uo2Pz'
