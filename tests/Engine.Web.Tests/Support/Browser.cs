using Microsoft.Playwright;

namespace Engine.Web.Tests.Support;

/// <summary>
/// Debian's Chromium driven by Playwright (never <c>playwright install</c>: the browser is the system's, installed by
/// test.sh), with the real server on Kestrel on a free port. One browser per test class; each person gets a context.
/// </summary>
public sealed class Browser : IAsyncLifetime
{
    public const string Chromium = "/usr/bin/chromium";

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public KestrelEngineFactory Server { get; } = new();

    public async Task InitializeAsync()
    {
        _ = Server.Address;
        // The whole suite runs beside these pages on two cores: a page's answer may take longer than Playwright's 5 s.
        Assertions.SetDefaultExpectTimeout(15_000);
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    /// <summary>A new person at the browser (own cookies and storage), whose page fails the test on any script error.</summary>
    public async Task<IPage> PageAsync(List<string>? errors = null)
    {
        var context = await _browser!.NewContextAsync(new BrowserNewContextOptions { BaseURL = Server.Address.ToString(), ViewportSize = new ViewportSize { Width = 1280, Height = 800 } });
        context.SetDefaultTimeout(15_000);
        var page = await context.NewPageAsync();
        if (errors is not null)
        {
            page.PageError += (_, error) => errors.Add(error);
            page.Console += (_, message) =>
            {
                if (message.Type == "error") errors.Add($"{message.Text} {message.Location}");
            };
        }
        return page;
    }

    /// <summary>The script errors and failed loads of a page, but the one a workbench expects: asking who is signed in before anyone is (401).</summary>
    public static string[] Unexpected(IEnumerable<string> errors)
        => [.. errors.Where(e => !(e.Contains("status of 401", StringComparison.Ordinal) && e.Contains("/api/v1/me", StringComparison.Ordinal)))];

    /// <summary>Fails with every unexpected error of the pages, in full; <paramref name="expected"/> names errors a test caused on purpose.</summary>
    public static void NoUnexpected(IEnumerable<string> errors, params string[] expected)
    {
        var unexpected = Unexpected(errors).Where(e => !expected.Any(x => e.Contains(x, StringComparison.Ordinal))).ToArray();
        if (unexpected.Length > 0) Assert.Fail("The pages reported errors:\n" + string.Join("\n", unexpected));
    }

    /// <summary>Signs an agent in on the workbench (their password already changed) and waits for the live status badge.</summary>
    public static async Task SignInAsync(IPage page, string email, string password)
    {
        await page.GotoAsync("/workbench");
        await page.FillAsync("#signin input[name=email]", email);
        await page.FillAsync("#signin input[name=password]", password);
        await page.ClickAsync("#signin button[type=submit]");
        await Assertions.Expect(page.Locator("#connection")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("connected"));
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null) await _browser.DisposeAsync();
        _playwright?.Dispose();
        await Server.DisposeAsync();
    }
}
