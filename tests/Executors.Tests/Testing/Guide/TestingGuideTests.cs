using Executors.Testing;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace Executors.Tests.Testing.Guide;

/// <summary>
/// The examples of docs/testing.md, as tests. Each region between <c>// snippet: name</c> and
/// <c>// end snippet</c> appears verbatim in the guide; <see cref="TestingGuideSnippetsTests"/> checks it.
/// </summary>
public class TestingGuideTests
{
    private readonly ITestOutputHelper _output;

    public TestingGuideTests(ITestOutputHelper output) => _output = output;

    // snippet: inline
    [Fact]
    public void BestPrice_TwoSources_ReturnsTheLowest()
    {
        using var executor = new InlineExecutor();
        var quoter = new PriceQuoter(executor, [_ => 4.20m, _ => 3.90m], TimeProvider.System);

        decimal? best = quoter.BestPrice("tea", TimeSpan.FromSeconds(5));

        Assert.Equal(3.90m, best);
    }
    // end snippet

    // snippet: inline-failure
    [Fact]
    public void BestPrice_ASourceThrows_UsesTheOthers()
    {
        using var executor = new InlineExecutor();
        var quoter = new PriceQuoter(executor, [_ => throw new HttpRequestException("down"), _ => 3.90m], TimeProvider.System);

        Assert.Equal(3.90m, quoter.BestPrice("tea", TimeSpan.FromSeconds(5)));
    }
    // end snippet

    // snippet: manual
    [Fact]
    public void Prefetch_SameProductTwice_FetchesOnce()
    {
        using var executor = new ManualExecutor();
        var cache = new QuoteCache(executor, product => product.Length);

        cache.Prefetch("tea");
        cache.Prefetch("tea");

        // One fetch is queued and nothing has run: the test sees the state in between.
        ScheduledTask fetch = Assert.Single(executor.Pending);
        Assert.Null(cache.TryGet("tea"));

        executor.RunNext();

        Assert.True(fetch.Future.IsDone);
        Assert.Equal(3m, cache.TryGet("tea"));
    }
    // end snippet

    // snippet: fake-clock
    [Fact]
    public void BestPrice_SlowSource_IsCanceledWhenTheTimeoutPasses()
    {
        var clock = new FakeTimeProvider();
        using var executor = new ManualExecutor(clock);
        var quoter = new PriceQuoter(executor, [_ => 4.20m, _ => 3.90m], clock);

        // BestPrice blocks until its quotes are in or its timeout passes: call it on another thread.
        Task<decimal?> call = Task.Run(() => quoter.BestPrice("tea", TimeSpan.FromSeconds(2)));

        // Run the first quote as soon as it is submitted; the second never runs.
        Assert.True(executor.RunNext(TimeSpan.FromSeconds(30)));

        // Move the fake clock until the call gives up. However long the machine takes, the outcome is
        // the same: no real timeout can pass early, and the test never sleeps to make time go by.
        while (!call.Wait(TimeSpan.FromMilliseconds(20)))
        {
            clock.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(4.20m, call.Result);
        Assert.Empty(executor.Pending); // the late quote was canceled: it will never run
    }
    // end snippet

    // snippet: explore
    [Fact]
    public void Place_InEveryTaskOrder_PublishesWhatWasSaved()
    {
        SeededExecutor.Explore(executor =>
        {
            var publisher = new OrderPublisher(executor);
            publisher.Place(1, "tea");
            publisher.Place(2, "cake");

            executor.RunUntilIdle();

            Assert.Equal(["cake", "tea"], publisher.Published.Order());
        });
    }
    // end snippet

    [Fact]
    public void Place_NaivePublisher_ExploreNamesTheSeedThatBreaksIt()
    {
        var failure = Assert.Throws<InterleavingFailedException>(() => SeededExecutor.Explore(executor =>
        {
            var publisher = new NaiveOrderPublisher(executor);
            publisher.Place(1, "tea");
            publisher.Place(2, "cake");

            executor.RunUntilIdle();

            Assert.Equal(["cake", "tea"], publisher.Published.Order());
        }));

        // The guide quotes this output.
        _output.WriteLine(failure.Message);
        Assert.Equal(0, failure.Seed);
    }

    // snippet: replay
    [Fact]
    public void Place_NaivePublisher_FailsUnderSeedZero()
    {
        using var executor = new SeededExecutor(0); // the seed the failure named
        var publisher = new NaiveOrderPublisher(executor);
        publisher.Place(1, "tea");
        publisher.Place(2, "cake");

        executor.RunUntilIdle();

        _output.WriteLine(executor.DescribeHistory());
        Assert.Contains("<missing>", publisher.Published);
    }
    // end snippet

    [Fact]
    public void Place_NaivePublisherOnManualExecutor_HidesTheBug()
    {
        // The oldest-first order of one worker is the one order in which the naive code works.
        using var executor = new ManualExecutor();
        var publisher = new NaiveOrderPublisher(executor);
        publisher.Place(1, "tea");
        publisher.Place(2, "cake");

        executor.RunUntilIdle();

        Assert.Equal(["tea", "cake"], publisher.Published);
    }
}
