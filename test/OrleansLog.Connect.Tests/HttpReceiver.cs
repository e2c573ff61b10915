using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using OrleansLog.Testing;

namespace OrleansLog.Connect.Tests;

/// <summary>An HTTP endpoint on loopback that answers every POST 200 and keeps the values of the records it was sent (an HTTP sink's target).</summary>
public sealed class HttpReceiver : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;

    public HttpReceiver()
    {
        Port = FreePort.Next();
        Url = $"http://127.0.0.1:{Port}/records";
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public int Port { get; }

    public string Url { get; }

    /// <summary>Every value received, as JSON text (a value may come more than once: sinks are at least once).</summary>
    public ConcurrentBag<string> Values { get; } = [];

    public int Posts => _posts;

    private int _posts;

    public void Dispose()
    {
        _listener.Close();
        _ = _loop.ContinueWith(static _ => { }, TaskScheduler.Default);
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            using (var document = await JsonDocument.ParseAsync(context.Request.InputStream))
            {
                foreach (var record in document.RootElement.EnumerateArray())
                {
                    Values.Add(record.GetProperty("value").GetRawText());
                }
            }

            Interlocked.Increment(ref _posts);
            context.Response.StatusCode = 200;
            context.Response.Close();
        }
    }
}
