using Microsoft.Playwright;

namespace OrleansLog.Web.Tests;

/// <summary>Debian's Chromium, headless, for Playwright (which cannot download a browser here); ORLEANSLOG_CHROMIUM names another.</summary>
public static class HeadlessChromium
{
    public static Task<IBrowser> LaunchAsync(IPlaywright playwright) =>
        playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("ORLEANSLOG_CHROMIUM") ?? "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu"],
        });
}
