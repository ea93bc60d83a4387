using Engine.Persistence;
using Npgsql;

namespace Engine.Tests.Persistence;

public sealed class DatabaseTests
{
    [Fact]
    public void PostgreSQL_connections_prepare_repeated_statements_unless_configured_otherwise()
    {
        var tuned = new NpgsqlConnectionStringBuilder(new Database(Dialect.Postgres, "Host=db;Username=engine").ConnectionString);
        Assert.True(tuned.MaxAutoPrepare > 0);
        var configured = new NpgsqlConnectionStringBuilder(new Database(Dialect.Postgres, "Host=db;Username=engine;Max Auto Prepare=5").ConnectionString);
        Assert.Equal(5, configured.MaxAutoPrepare);
    }

    [Fact]
    public void SQLite_connection_strings_are_kept_as_given()
        => Assert.Equal("Data Source=x.db", new Database(Dialect.Sqlite, "Data Source=x.db").ConnectionString);
}
