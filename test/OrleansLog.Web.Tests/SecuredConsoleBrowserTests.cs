using System.Net;
using Microsoft.Playwright;

namespace OrleansLog.Web.Tests;

/// <summary>
/// The console on a broker that checks ACLs, in headless Chromium: a visitor is sent to the sign-in page, signs in
/// through it, sees and does what the ACLs allow, is shown a refusal for what they do not, and signs out; the forms
/// keep antiforgery. Screenshots go to <c>screenshots/</c> like the other console tests'.
/// <para>
/// Redirects are awaited with <c>Expect(page).ToHaveURLAsync</c>, never <c>WaitForURLAsync</c>: once the URL already
/// matches, the latter waits for the page's "load" event by checking the states seen so far and then subscribing, on a
/// thread other than the one that delivers them, so a "load" that lands between the two is missed and it times out
/// (seen in CI: the sign-out's redirect, "NetworkIdle" fired, 30 s). Locators wait for what they need anyway.
/// </para>
/// </summary>
public sealed class SecuredConsoleBrowserTests(SecuredWebFixture broker) : IClassFixture<SecuredWebFixture>, IAsyncLifetime
{
    private static readonly string Screenshots = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "screenshots")).FullName;

    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    private string Base => $"http://127.0.0.1:{broker.Silo.HttpPort}";

    public async Task InitializeAsync()
    {
        _playwright = await Playwright.CreateAsync();
        _browser = await HeadlessChromium.LaunchAsync(_playwright);
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }

    [Fact]
    public async Task A_user_signs_in_through_the_page_does_what_the_acls_allow_and_signs_out()
    {
        var page = await _browser.NewPageAsync();
        await page.GotoAsync(Base + "/topics/new");
        Assert.StartsWith(Base + "/signin", page.Url, StringComparison.Ordinal);
        await Shot(page, "signin");

        // A wrong password stays on the page and says so.
        await SignIn(page, "alice", "not-hers");
        await Assertions.Expect(page.Locator("#signin-error")).ToContainTextAsync("wrong");
        await Shot(page, "signin-refused");

        // Signed in, the browser returns to the page it asked for.
        await SignIn(page, "alice", "alice-secret");
        await Assertions.Expect(page).ToHaveURLAsync(Base + "/topics/new");
        await Assertions.Expect(page.Locator("#signed-in-as")).ToHaveTextAsync("User:alice");
        await page.FillAsync("#Name", "sec-ui");
        await page.ClickAsync("#create-topic button[type=submit]");
        await Assertions.Expect(page.Locator("#topic-name")).ToHaveTextAsync("sec-ui");
        await Shot(page, "signed-in-topic");

        // A topic her ACLs do not cover is refused beside the field.
        await page.GotoAsync(Base + "/topics/new");
        await page.FillAsync("#Name", "other-ui");
        await page.ClickAsync("#create-topic button[type=submit]");
        await Assertions.Expect(page.Locator("span[data-valmsg-for=Name]")).ToContainTextAsync("TOPIC_AUTHORIZATION_FAILED");
        await Shot(page, "signed-in-refused");

        // The form without its antiforgery token, with the signed-in cookie, is refused.
        var forged = await page.APIRequest.PostAsync(Base + "/topics/new", new() { Form = page.APIRequest.CreateFormData().Set("Name", "sec-forged").Set("Partitions", "1").Set("ReplicationFactor", "-1") });
        Assert.Equal((int)HttpStatusCode.BadRequest, forged.Status);
        Assert.DoesNotContain("sec-forged", (await broker.Native.Admin.ListTopicsAsync()).Select(t => t.Name));

        await page.GotoAsync(Base + "/");
        await Assertions.Expect(page.Locator("#topics")).ToContainTextAsync("sec-ui");
        await Assertions.Expect(page.Locator("#brokers")).ToContainTextAsync("alive");

        await page.ClickAsync("#signout button[type=submit]");
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/signin"));
        await page.GotoAsync(Base + "/");
        Assert.StartsWith(Base + "/signin", page.Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_user_without_acls_sees_nothing_and_is_refused_a_topic_page()
    {
        await broker.Native.Admin.CreateTopicAsync("sec-bobless", 1);
        var page = await _browser.NewPageAsync();
        await page.GotoAsync(Base + "/");
        await SignIn(page, "bob", "bob-secret");
        await Assertions.Expect(page).ToHaveURLAsync(Base + "/");
        await Assertions.Expect(page.Locator("#brokers-hidden")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#topics")).Not.ToContainTextAsync("sec-bobless");
        await Shot(page, "signed-in-nothing");

        var refused = await page.GotoAsync(Base + "/topics/sec-bobless");
        Assert.Equal((int)HttpStatusCode.Forbidden, refused!.Status);
        await Assertions.Expect(page.Locator("#problem")).ToContainTextAsync("TOPIC_AUTHORIZATION_FAILED: User:bob is not authorized to Describe Topic \"sec-bobless\"");
        await Shot(page, "signed-in-forbidden");
    }

    private static async Task SignIn(IPage page, string user, string password)
    {
        await page.FillAsync("#User", user);
        await page.FillAsync("#Password", password);
        await page.ClickAsync("#signin button[type=submit]");
    }

    private static Task<byte[]> Shot(IPage page, string name) => page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, $"{name}.png"), FullPage = true });
}
