using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Engine.Web.Tests;

/// <summary>The real server in process, on its default SQLite store in a folder of its own.</summary>
public sealed class EngineFactory : WebApplicationFactory<Program>
{
    private readonly DirectoryInfo _dataDir = Directory.CreateTempSubdirectory("engine-web-");

    protected override void ConfigureWebHost(IWebHostBuilder builder) => builder.UseSetting("Engine:DataDir", _dataDir.FullName);

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _dataDir.Delete(recursive: true);
    }
}
