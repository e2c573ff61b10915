using OrleansLog.Server.Brokers;
using OrleansLog.Server.Metadata;

namespace OrleansLog.Server.Tests.Brokers;

/// <summary>When a broker declares its silent coordinator's silo dead: gone at once, unanswering once lapsed, answering only after its patience.</summary>
public sealed class CoordinatorVerdictTests
{
    private static readonly TimeSpan Session = TimeSpan.FromMilliseconds(1500);

    [Fact]
    public void A_closed_port_condemns_at_the_first_unanswered_heartbeat()
    {
        Assert.True(CoordinatorVerdict.IsDead(SiloProbeFinding.Gone, unanswered: 1, silent: TimeSpan.FromMilliseconds(300), Session));
        Assert.False(CoordinatorVerdict.IsDead(SiloProbeFinding.Unproven, unanswered: 1, silent: TimeSpan.FromMilliseconds(300), Session));
    }

    [Fact]
    public void A_silo_that_does_not_answer_either_is_dead_once_silent_for_a_session_over_two_heartbeats()
    {
        Assert.False(CoordinatorVerdict.IsDead(SiloProbeFinding.Unproven, unanswered: 1, silent: Session * 2, Session), "one long attempt is a slow answer");
        Assert.False(CoordinatorVerdict.IsDead(SiloProbeFinding.Unproven, unanswered: 3, silent: Session / 2, Session));
        Assert.True(CoordinatorVerdict.IsDead(SiloProbeFinding.Unproven, unanswered: 2, silent: Session, Session));
    }

    [Fact]
    public void A_silo_that_answers_is_waited_for_until_the_patience_runs_out()
    {
        Assert.False(CoordinatorVerdict.IsDead(SiloProbeFinding.Answered, unanswered: 5, silent: Session * 2, Session));
        Assert.False(CoordinatorVerdict.IsDead(SiloProbeFinding.Answered, unanswered: 20, silent: (Session * CoordinatorVerdict.PatienceSessions) - TimeSpan.FromMilliseconds(1), Session));
        Assert.True(CoordinatorVerdict.IsDead(SiloProbeFinding.Answered, unanswered: 20, silent: Session * CoordinatorVerdict.PatienceSessions, Session));
    }
}
