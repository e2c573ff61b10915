using System.Net;
using Microsoft.Extensions.Time.Testing;
using OrleansLog.Server.Metadata;

namespace OrleansLog.Server.Tests.Metadata;

/// <summary>The coordinator's session rules on a fake clock: lapse, fence for good, no fencing for the coordinator's own silence, a few more sessions for a silo that answers.</summary>
public sealed class BrokerSessionsTests
{
    private static readonly TimeSpan Session = TimeSpan.FromMilliseconds(1500);
    private static readonly TimeSpan Beat = TimeSpan.FromMilliseconds(250);
    private static readonly SiloAddress Coordinator = Silo(11111);
    private static readonly SiloAddress First = Silo(11112);
    private static readonly SiloAddress Second = Silo(11113);

    private readonly FakeTimeProvider _time = new();
    private readonly BrokerSessions _sessions;

    public BrokerSessionsTests()
    {
        _sessions = new BrokerSessions(_time, Session);
        _sessions.Open(0, Coordinator);
        _sessions.Open(1, First);
        _sessions.Open(2, Second);

        // Each broker's first heartbeat: from here a session lapses one session timeout after the last one.
        _sessions.Heartbeat(0, Coordinator);
        _sessions.Heartbeat(1, First);
        _sessions.Heartbeat(2, Second);
    }

    [Fact]
    public void A_broker_silent_for_a_session_timeout_is_fenced_once_and_refused_after()
    {
        // Broker 1 keeps beating; broker 2 goes silent; the coordinator checks every beat.
        for (var elapsed = TimeSpan.Zero; elapsed <= Session; elapsed += Beat)
        {
            Assert.True(_sessions.Heartbeat(1, First));
            Assert.Empty(_sessions.Expire(Coordinator));
            _time.Advance(Beat);
        }

        Assert.True(_sessions.Heartbeat(1, First));
        var fenced = Assert.Single(_sessions.Expire(Coordinator));
        Assert.Equal((2, Second), (fenced.BrokerId, fenced.Silo));
        Assert.True(fenced.Silent > Session);

        Assert.False(_sessions.IsOpen(2));
        Assert.True(_sessions.IsFenced(Second));
        Assert.False(_sessions.Heartbeat(2, Second), "a fenced silo never renews");
        _time.Advance(Beat);
        Assert.True(_sessions.Heartbeat(1, First));
        Assert.Empty(_sessions.Expire(Coordinator));
    }

    [Fact]
    public void The_broker_returning_as_a_new_silo_gets_a_new_session()
    {
        _time.Advance(Session + Beat);
        _sessions.Heartbeat(0, Coordinator);
        _sessions.Heartbeat(1, First);

        // Too long for any check to run in between: counts as the coordinator's own stall (see below), so check first.
        var restarted = Silo(11114);
        Assert.Empty(_sessions.Expire(Coordinator));
        for (var i = 0; i < 8; i++)
        {
            _time.Advance(Beat);
            _sessions.Heartbeat(1, First);
            _sessions.Expire(Coordinator);
        }

        Assert.True(_sessions.IsFenced(Second));
        _sessions.Open(2, restarted);
        Assert.True(_sessions.IsOpen(2));
        Assert.True(_sessions.Heartbeat(2, restarted));
        Assert.False(_sessions.Heartbeat(2, Second), "the old silo is not that broker any more");
    }

    [Fact]
    public void The_coordinators_own_silo_is_never_fenced_here()
    {
        for (var i = 0; i < 12; i++)
        {
            _time.Advance(Beat);
            _sessions.Heartbeat(1, First);
            _sessions.Heartbeat(2, Second);
            Assert.Empty(_sessions.Expire(Coordinator));
        }
    }

    [Fact]
    public void A_coordinator_that_was_paused_gives_every_broker_a_fresh_session_instead_of_fencing_them()
    {
        // Nothing ran for ten seconds (SIGSTOP on the coordinator's process): heartbeats were not heard because nobody listened.
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Empty(_sessions.Expire(Coordinator));

        _time.Advance(Beat);
        _sessions.Heartbeat(1, First);
        _sessions.Heartbeat(2, Second);
        Assert.Empty(_sessions.Expire(Coordinator));
        Assert.True(_sessions.IsOpen(1) && _sessions.IsOpen(2));

        // A broker that really is gone is still fenced one session timeout after the coordinator resumed.
        AssertSecondFencedAfterOneSessionOfSilence();
    }

    [Fact]
    public void A_silent_silo_found_gone_is_fenced_at_the_next_check_and_one_that_answers_again_is_not()
    {
        _time.Advance(Beat * 2);
        _sessions.Heartbeat(1, First);
        Assert.Equal([Second], _sessions.Silent(Coordinator, Beat * 2));
        Assert.Empty(_sessions.Silent(Coordinator, Beat * 3));

        // A silo found gone while the broker was silent: fenced well before its session lapses.
        _sessions.FoundGone(Second);
        var fenced = Assert.Single(_sessions.Expire(Coordinator));
        Assert.Equal((2, Second, true), (fenced.BrokerId, fenced.Silo, fenced.FoundGone));
        Assert.Empty(_sessions.Silent(Coordinator, Beat * 2));

        // A finding overtaken by a heartbeat (the probe raced an answer) fences nothing.
        _sessions.Heartbeat(1, First);
        _sessions.FoundGone(First);
        _sessions.Heartbeat(1, First);
        Assert.Empty(_sessions.Expire(Coordinator));
        Assert.True(_sessions.IsOpen(1));
    }

    [Fact]
    public void A_lapsed_broker_whose_silo_answers_runs_on_for_a_few_sessions_then_is_fenced()
    {
        // Broker 2's heartbeats go astray (queued at a coordinator activation Orleans is replacing); its silo answers probes.
        var extensions = 0;
        var elapsed = TimeSpan.Zero;
        IReadOnlyList<FencedSession> fenced = [];
        while (fenced.Count == 0)
        {
            _time.Advance(Beat);
            elapsed += Beat;
            _sessions.Heartbeat(1, First);
            if (_sessions.Silent(Coordinator, Beat * 2).Contains(Second))
            {
                _sessions.FoundAnswering(Second);
            }

            fenced = _sessions.Expire(Coordinator);
            extensions += _sessions.LastExtended.Count(b => b == 2);
            Assert.True(elapsed < Session * 6, "fenced in the end");
        }

        Assert.Equal(BrokerSessions.MaxExtensions, extensions);
        Assert.Equal(2, Assert.Single(fenced).BrokerId);
        Assert.True(elapsed > Session * (BrokerSessions.MaxExtensions + 1), $"fenced after {elapsed}");
    }

    [Fact]
    public void An_answer_found_before_the_lapse_extends_it_once_and_a_heartbeat_starts_the_count_again()
    {
        for (var i = 0; i < 3; i++)
        {
            _time.Advance(Beat);
            _sessions.Heartbeat(1, First);
            Assert.Empty(_sessions.Expire(Coordinator));
        }

        _sessions.FoundAnswering(Second);

        // The finding outlives the checks before the lapse (at the seventh beat), and is spent on it.
        for (var i = 0; i < 4; i++)
        {
            _time.Advance(Beat);
            _sessions.Heartbeat(1, First);
            Assert.Empty(_sessions.Expire(Coordinator));
            Assert.Equal(i == 3 ? [2] : [], _sessions.LastExtended);
        }

        Assert.True(_sessions.IsOpen(2));

        // Heard again: the finding was spent, so the next lapse with no answer found is fenced.
        Assert.True(_sessions.Heartbeat(2, Second));
        AssertSecondFencedAfterOneSessionOfSilence();
    }

    [Fact]
    public void A_silo_found_gone_is_fenced_even_if_it_answered_before()
    {
        _time.Advance(Beat);
        _sessions.Heartbeat(1, First);
        _sessions.FoundAnswering(Second);
        _sessions.FoundGone(Second);
        Assert.True(Assert.Single(_sessions.Expire(Coordinator)).FoundGone);
    }

    [Fact]
    public void A_session_waits_four_session_timeouts_for_its_first_heartbeat_but_not_for_a_silo_found_gone()
    {
        var starting = Silo(11115);
        var killed = Silo(11116);
        _sessions.Open(3, starting);
        _sessions.Open(4, killed);
        var elapsed = TimeSpan.Zero;
        while (elapsed + Beat <= Session * BrokerSessions.FirstHeartbeatSessions)
        {
            _time.Advance(Beat);
            elapsed += Beat;
            _sessions.Heartbeat(1, First);
            _sessions.Heartbeat(2, Second);
            if (elapsed == Beat * 2)
            {
                _sessions.FoundGone(killed);
            }

            var fenced = _sessions.Expire(Coordinator);
            Assert.Equal(elapsed == Beat * 2 ? [4] : [], fenced.Select(f => f.BrokerId));
        }

        Assert.True(_sessions.IsOpen(3), "not heard yet, and within its grace");
        _time.Advance(Beat);
        _sessions.Heartbeat(1, First);
        _sessions.Heartbeat(2, Second);
        Assert.Equal(3, Assert.Single(_sessions.Expire(Coordinator)).BrokerId);
    }

    [Fact]
    public void A_silo_not_registered_as_that_broker_is_refused()
    {
        Assert.False(_sessions.Heartbeat(1, Second));
        Assert.False(_sessions.Heartbeat(7, Silo(11120)));
    }

    /// <summary>Only broker 1 beats, a check at every beat: broker 2 is fenced at the first check past one session timeout.</summary>
    private void AssertSecondFencedAfterOneSessionOfSilence()
    {
        for (var i = 0; i < 6; i++)
        {
            _time.Advance(Beat);
            _sessions.Heartbeat(1, First);
            Assert.Empty(_sessions.Expire(Coordinator));
        }

        _time.Advance(Beat);
        _sessions.Heartbeat(1, First);
        Assert.Equal(2, Assert.Single(_sessions.Expire(Coordinator)).BrokerId);
    }

    private static SiloAddress Silo(int port) => SiloAddress.New(new IPEndPoint(IPAddress.Loopback, port), 1);
}
