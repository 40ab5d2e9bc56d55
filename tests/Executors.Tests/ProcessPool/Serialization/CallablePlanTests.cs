using System.Linq.Expressions;
using Executors.ProcessPool.Serialization;
using MessagePack;

namespace Executors.Tests.ProcessPool.Serialization;

public sealed class CallablePlanTests
{
    [Fact]
    public void ForDelegate_MulticastDelegate_ThrowsArgumentException()
    {
        Action fn = static () => { };
        fn += static () => { };

        var ex = Assert.Throws<ArgumentException>(() => CallablePlan.ForDelegate(fn, "fn"));

        Assert.Equal("fn", ex.ParamName);
        Assert.Contains("multicast", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ForDelegate_AsyncLambda_ThrowsArgumentExceptionMentioningAsynchronous()
    {
        Func<Task<int>> fn = static async () =>
        {
            await Task.Yield();
            return 1;
        };

        var ex = Assert.Throws<ArgumentException>(() => CallablePlan.ForDelegate(fn, "fn"));

        Assert.Equal("fn", ex.ParamName);
        Assert.Contains("asynchronous", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ForDelegate_TaskReturningLambda_ThrowsArgumentExceptionMentioningAsynchronous()
    {
        Func<Task> fn = static () => Task.CompletedTask;

        var ex = Assert.Throws<ArgumentException>(() => CallablePlan.ForDelegate(fn, "fn"));

        Assert.Contains("asynchronous", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ForDelegate_ValueTaskReturningLambda_ThrowsArgumentExceptionMentioningAsynchronous()
    {
        Func<int, ValueTask<int>> fn = static x => ValueTask.FromResult(x);

        var ex = Assert.Throws<ArgumentException>(() => CallablePlan.ForDelegate(fn, "fn"));

        Assert.Contains("asynchronous", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ForDelegate_ClosedStaticDelegate_ThrowsArgumentException()
    {
        var fn = (Func<int>)Delegate.CreateDelegate(typeof(Func<int>), "abc", typeof(CallablePlanTests).GetMethod(nameof(Length), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!);

        var ex = Assert.Throws<ArgumentException>(() => CallablePlan.ForDelegate(fn, "fn"));

        Assert.Equal(3, fn());
        Assert.Contains("closed static delegate", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ForDelegate_TargetOfDerivedType_ThrowsArgumentException()
    {
        Func<int> fn = new Derived().Value;

        var ex = Assert.Throws<ArgumentException>(() => CallablePlan.ForDelegate(fn, "fn"));

        Assert.Contains(typeof(Derived).ToString(), ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ForDelegate_CompiledExpression_ThrowsArgumentException()
    {
        Func<int, int> fn = ((Expression<Func<int, int>>)(x => x + 1)).Compile();

        var ex = Assert.Throws<ArgumentException>(() => CallablePlan.ForDelegate(fn, "fn"));

        Assert.Equal("fn", ex.ParamName);
        Assert.IsType<NotSupportedException>(ex.InnerException);
    }

    [Fact]
    public void ForDelegate_StaticMethod_HasNoTarget()
    {
        Func<int, int> fn = Twice;

        CallablePlan plan = CallablePlan.ForDelegate(fn, "fn");

        Assert.Equal(TargetKind.None, plan.Kind);
        Assert.Equal(new[] { typeof(int) }, plan.ParameterTypes);
        Assert.Equal(typeof(int), plan.ReturnType);
        Assert.NotEmpty(plan.MethodReference);
        Assert.True(plan.Id > 0);
    }

    [Fact]
    public void ForDelegate_NonCapturingLambda_IsSingleton()
    {
        Func<string, int> fn = static s => s.Length;

        CallablePlan plan = CallablePlan.ForDelegate(fn, "fn");

        Assert.Equal(TargetKind.Singleton, plan.Kind);
        Assert.Same(fn.Target, plan.SingletonField!.GetValue(null));
    }

    [Fact]
    public void ForDelegate_CapturingLambda_IsClosure()
    {
        int captured = 5;
        Func<int> fn = () => captured;

        CallablePlan plan = CallablePlan.ForDelegate(fn, "fn");

        Assert.Equal(TargetKind.Closure, plan.Kind);
        Assert.NotNull(plan.Closure);
    }

    [Fact]
    public void ForDelegate_InstanceMethod_IsObject()
    {
        Func<int> fn = new Derived().Other;

        CallablePlan plan = CallablePlan.ForDelegate(fn, "fn");

        Assert.Equal(TargetKind.Object, plan.Kind);
    }

    [Fact]
    public void ForDelegate_SameMethodTwice_ReturnsTheSamePlan()
    {
        Func<int, int> first = Twice;
        Func<int, int> second = Twice;

        CallablePlan a = CallablePlan.ForDelegate(first, "fn");
        CallablePlan b = CallablePlan.ForDelegate(second, "fn");

        Assert.Same(a, b);
    }

    [Fact]
    public void ForDelegate_DifferentMethods_GetDifferentIds()
    {
        Func<int, int> first = Twice;
        Func<string, int> second = static s => s.Length;

        CallablePlan a = CallablePlan.ForDelegate(first, "fn");
        CallablePlan b = CallablePlan.ForDelegate(second, "fn");

        Assert.NotEqual(a.Id, b.Id);
    }

    [Fact]
    public void ForResolvedMethod_Always_HasNoIdAndNoReference()
    {
        CallablePlan plan = CallablePlan.ForResolvedMethod(typeof(CallablePlanTests).GetMethod(nameof(Twice), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!);

        Assert.Equal(0, plan.Id);
        Assert.Empty(plan.MethodReference);
        Assert.Equal(TargetKind.None, plan.Kind);
    }

    [Fact]
    public void WriteCallable_CapturesNonSerializableValue_ThrowsArgumentExceptionNamingTheVariable()
    {
        var worker = new Thread(static () => { });
        Func<int> fn = () => worker.ManagedThreadId;
        CallablePlan plan = CallablePlan.ForDelegate(fn, "fn");
        var frame = new Executors.ProcessPool.Protocol.OutgoingFrame();

        try
        {
            var ex = Assert.Throws<ArgumentException>(() =>
            {
                var writer = new MessagePackWriter(frame);
                TaskEnvelope.WriteCallable(ref writer, plan, fn.Target, 0, "fn");
            });

            Assert.Equal("fn", ex.ParamName);
            Assert.Contains("'worker'", ex.Message, StringComparison.Ordinal);
            Assert.Contains(typeof(Thread).FullName!, ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            frame.ReleaseBuffer();
        }
    }

    [Fact]
    public void WriteCallable_CapturesDelegate_ThrowsArgumentExceptionNamingTheVariable()
    {
        Action callback = static () => { };
        Func<int> fn = () =>
        {
            callback();
            return 1;
        };
        CallablePlan plan = CallablePlan.ForDelegate(fn, "fn");
        var frame = new Executors.ProcessPool.Protocol.OutgoingFrame();

        try
        {
            var ex = Assert.Throws<ArgumentException>(() =>
            {
                var writer = new MessagePackWriter(frame);
                TaskEnvelope.WriteCallable(ref writer, plan, fn.Target, 0, "fn");
            });

            Assert.Contains("'callback'", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            frame.ReleaseBuffer();
        }
    }

    private static int Twice(int x) => 2 * x;

    private static int Length(string s) => s.Length;

    public class Base
    {
        public int Value() => 1;
    }

    public sealed class Derived : Base
    {
        public int Other() => 2;
    }
}
