using System.Buffers;
using System.Reflection;
using Executors.ProcessPool.Protocol;
using Executors.ProcessPool.Serialization;
using MessagePack;

namespace Executors.Tests.ProcessPool.Serialization;

public sealed class TaskEnvelopeTests
{
    private readonly WorkerPlanCache _plans = new(AssemblyGate.ForCurrentProcess());

    [Fact]
    public void ReadCall_StaticMethod_InvokesIt()
    {
        Func<int, int> fn = Square;

        (CallablePlan plan, object? target, object?[] arguments) = RoundTrip(fn, 7);

        Assert.Equal(TargetKind.None, plan.Kind);
        Assert.Null(target);
        Assert.Equal(49, plan.Invoker.Invoke(target, arguments[0]));
    }

    [Fact]
    public void ReadCall_NonCapturingLambda_UsesTheSingletonTarget()
    {
        Func<int, int> fn = static x => x + 1;

        (CallablePlan plan, object? target, object?[] arguments) = RoundTrip(fn, 41);

        Assert.Equal(TargetKind.Singleton, plan.Kind);
        Assert.Same(fn.Target, target);
        Assert.Equal(42, plan.Invoker.Invoke(target, arguments[0]));
    }

    [Fact]
    public void ReadCall_NoArgumentLambda_InvokesWithoutArguments()
    {
        Func<string> fn = static () => "hello";

        (CallablePlan plan, object? target, object?[] arguments) = RoundTrip(fn);

        Assert.Empty(arguments);
        Assert.Equal("hello", plan.Invoker.Invoke(target));
    }

    [Fact]
    public void ReadCall_Action_HasVoidReturnType()
    {
        Action fn = static () => { };

        (CallablePlan plan, object? target, _) = RoundTrip(fn);

        Assert.Equal(typeof(void), plan.ReturnType);
        Assert.Null(plan.Invoker.Invoke(target));
    }

    [Fact]
    public void ReadCall_CapturingLambda_RebuildsTheClosure()
    {
        int offset = 40;
        string label = "n=";
        Func<int, string> fn = x => label + (x + offset);

        (CallablePlan plan, object? target, object?[] arguments) = RoundTrip(fn, 2);

        Assert.Equal(TargetKind.Closure, plan.Kind);
        Assert.NotNull(target);
        Assert.NotSame(fn.Target, target);
        Assert.Equal("n=42", plan.Invoker.Invoke(target, arguments[0]));
    }

    [Fact]
    public void ReadCall_NestedClosure_RebuildsBothScopes()
    {
        int outer = 100;
        Func<int, int>? fn = null;
        for (int i = 0; i < 1; i++)
        {
            int inner = 20 + i;
            fn = x => x + outer + inner;
        }

        (CallablePlan plan, object? target, object?[] arguments) = RoundTrip(fn!, 3);

        Assert.Contains(
            fn!.Target!.GetType().GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic),
            f => ClosureShape.IsClosureType(f.FieldType));
        Assert.Equal(123, plan.Invoker.Invoke(target, arguments[0]));
    }

    [Fact]
    public void ReadCall_ClosureCapturingRecordArrayAndDictionary_RebuildsTheirValues()
    {
        var origin = new Point(1, 2);
        int[] weights = [3, 4, 5];
        var names = new Dictionary<string, int> { ["a"] = 10, ["b"] = 20 };
        Func<string, int> fn = key => origin.X + origin.Y + weights.Sum() + names[key];

        (CallablePlan plan, object? target, object?[] arguments) = RoundTrip(fn, "b");

        Assert.Equal(1 + 2 + 12 + 20, plan.Invoker.Invoke(target, arguments[0]));
    }

    [Fact]
    public void ReadCall_ClosureCapturingNull_RebuildsNull()
    {
        string? missing = null;
        Func<int, string> fn = x => missing ?? "was null";

        (CallablePlan plan, object? target, object?[] arguments) = RoundTrip(fn, 0);

        Assert.Equal("was null", plan.Invoker.Invoke(target, arguments[0]));
    }

    [Fact]
    public void ReadCall_InstanceMethodOfPlainObject_RebuildsTheObject()
    {
        var multiplier = new Multiplier { Factor = 3 };
        Func<int, int> fn = multiplier.Apply;

        (CallablePlan plan, object? target, object?[] arguments) = RoundTrip(fn, 14);

        Assert.Equal(TargetKind.Object, plan.Kind);
        Multiplier rebuilt = Assert.IsType<Multiplier>(target);
        Assert.NotSame(multiplier, rebuilt);
        Assert.Equal(3, rebuilt.Factor);
        Assert.Equal(42, plan.Invoker.Invoke(target, arguments[0]));
    }

    [Fact]
    public void ReadCall_GenericMethodOfUserType_ResolvesTheInstantiation()
    {
        Func<Point, List<Point>> fn = Wrap;

        (CallablePlan plan, object? target, object?[] arguments) = RoundTrip(fn, new Point(5, 6));

        Assert.Equal(typeof(Point), Assert.Single(plan.Method.GetGenericArguments()));
        List<Point> result = Assert.IsType<List<Point>>(plan.Invoker.Invoke(target, arguments[0]));
        Assert.Equal(new Point(5, 6), Assert.Single(result));
    }

    [Fact]
    public void ReadCall_MethodOfGenericClass_ResolvesTheConstructedClass()
    {
        Func<Point, Point[]> fn = Pairs<Point>.Twice;

        (CallablePlan plan, object? target, object?[] arguments) = RoundTrip(fn, new Point(7, 8));

        Assert.Equal(typeof(Pairs<Point>), plan.Method.DeclaringType);
        Assert.Equal(new[] { new Point(7, 8), new Point(7, 8) }, plan.Invoker.Invoke(target, arguments[0]));
    }

    [Fact]
    public void ReadCall_InstanceMethodOfGenericClass_RebuildsTheConstructedObject()
    {
        Func<Point, Point[]> fn = new Box<Point> { Content = new Point(3, 4) }.With;

        (CallablePlan plan, object? target, object?[] arguments) = RoundTrip(fn, new Point(5, 6));

        Assert.Equal(TargetKind.Object, plan.Kind);
        Assert.Equal(new Point(3, 4), Assert.IsType<Box<Point>>(target).Content);
        Assert.Equal(new[] { new Point(3, 4), new Point(5, 6) }, plan.Invoker.Invoke(target, arguments[0]));
    }

    [Fact]
    public void ReadCall_ClosureInGenericMethod_RebuildsTheGenericClosure()
    {
        Func<Point, Point[]> fn = MakePairer(new Point(1, 1));

        (CallablePlan plan, object? target, object?[] arguments) = RoundTrip(fn, new Point(2, 2));

        Assert.Equal(TargetKind.Closure, plan.Kind);
        Assert.Equal(new[] { new Point(1, 1), new Point(2, 2) }, plan.Invoker.Invoke(target, arguments[0]));
    }

    [Fact]
    public void ReadCall_NonCapturingLambdaInGenericMethod_UsesTheConstructedSingleton()
    {
        Func<Point, Point[]> fn = MakeDoubler<Point>();

        (CallablePlan plan, object? target, object?[] arguments) = RoundTrip(fn, new Point(9, 9));

        Assert.Equal(TargetKind.Singleton, plan.Kind);
        Assert.Same(fn.Target, target);
        Assert.Equal(new[] { new Point(9, 9), new Point(9, 9) }, plan.Invoker.Invoke(target, arguments[0]));
    }

    [Fact]
    public void ReadCall_LocalFunctionCapturingVariable_RebuildsTheClosure()
    {
        int factor = 6;
        Func<int, int> fn = Scale;

        (CallablePlan plan, object? target, object?[] arguments) = RoundTrip(fn, 7);

        Assert.Equal(TargetKind.Closure, plan.Kind);
        Assert.Equal(42, plan.Invoker.Invoke(target, arguments[0]));

        int Scale(int x) => x * factor;
    }

    [Fact]
    public void ReadCall_SecondCallWithSamePlanId_ReturnsCachedPlan()
    {
        int offset = 1;
        Func<int, int> fn = x => x + offset;
        (CallablePlan first, _, _) = RoundTrip(fn, 1);
        offset = 2;

        (CallablePlan second, object? target, object?[] arguments) = RoundTrip(fn, 1);

        Assert.Same(first, second);
        Assert.Equal(3, second.Invoker.Invoke(target, arguments[0]));
    }

    [Fact]
    public void ReadCall_CacheHit_SkipsTheMethodReferenceBytes()
    {
        Func<int, int> fn = Square;
        CallablePlan parentPlan = CallablePlan.ForDelegate(fn, "fn");
        (CallablePlan cached, _, _) = RoundTrip(fn, 1);
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(6);
        writer.Write(parentPlan.Id);

        // A method reference that would be refused if it were read: the cache must skip it.
        writer.WriteArrayHeader(5);
        writer.Write("Not.A.Trusted.Assembly");
        writer.Write(Guid.NewGuid().ToString("N"));
        writer.Write(0);
        writer.WriteArrayHeader(0);
        writer.WriteArrayHeader(0);
        writer.Write((int)TargetKind.None);
        writer.WriteNil();
        writer.Write(1);
        writer.Write(9);
        writer.Flush();

        (CallablePlan plan, object? target, object?[] arguments) = TaskEnvelope.ReadCall(buffer.WrittenMemory, _plans);

        Assert.Same(cached, plan);
        Assert.Equal(81, plan.Invoker.Invoke(target, arguments[0]));
    }

    [Fact]
    public void ReadCall_NewCache_ResolvesTheMethodAgain()
    {
        Func<int, int> fn = Square;
        byte[] payload = Write(fn, 3);
        (CallablePlan first, _, _) = TaskEnvelope.ReadCall(payload, _plans);

        (CallablePlan second, _, _) = TaskEnvelope.ReadCall(payload, new WorkerPlanCache(AssemblyGate.ForCurrentProcess()));

        Assert.NotSame(first, second);
        Assert.Equal(first.Method, second.Method);
    }

    [Fact]
    public void ReadCall_ChunkOfItems_ReadsEveryItem()
    {
        Func<int, int> fn = Square;
        CallablePlan plan = CallablePlan.ForDelegate(fn, "fn");
        var frame = new OutgoingFrame();
        var writer = new MessagePackWriter(frame);
        TaskEnvelope.WriteCallable(ref writer, plan, fn.Target, 4, "fn");
        foreach (int item in new[] { 1, 2, 3, 4 })
        {
            TaskEnvelope.WriteArgument(ref writer, plan.ParameterTypes[0], item, "items");
        }

        writer.Flush();

        (CallablePlan read, object? target, object?[] items) = TaskEnvelope.ReadCall(frame.Payload.ToArray(), _plans);

        Assert.Equal(new object[] { 1, 2, 3, 4 }, items);
        Assert.Equal(new object?[] { 1, 4, 9, 16 }, items.Select(i => read.Invoker.Invoke(target, i)).ToArray());
        frame.ReleaseBuffer();
    }

    [Fact]
    public void ReadCall_TargetKindDoesNotMatchTheMethod_ThrowsInvalidDataException()
    {
        Func<int, int> fn = Square;
        CallablePlan plan = CallablePlan.ForDelegate(fn, "fn");
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(5);
        writer.Write(plan.Id);
        writer.WriteRaw(plan.MethodReference);
        writer.Write((int)TargetKind.Closure);
        writer.WriteNil();
        writer.Write(0);
        writer.Flush();

        var ex = Assert.Throws<InvalidDataException>(() => TaskEnvelope.ReadCall(buffer.WrittenMemory, _plans));

        Assert.Contains("target kind", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadCall_ArgumentCountDoesNotMatchEnvelope_ThrowsInvalidDataException()
    {
        Func<int, int> fn = Square;
        CallablePlan plan = CallablePlan.ForDelegate(fn, "fn");
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(6);
        writer.Write(plan.Id);
        writer.WriteRaw(plan.MethodReference);
        writer.Write((int)TargetKind.None);
        writer.WriteNil();
        writer.Write(2);
        writer.Write(1);
        writer.Flush();

        var ex = Assert.Throws<InvalidDataException>(() => TaskEnvelope.ReadCall(buffer.WrittenMemory, _plans));

        Assert.Contains("argument count", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WriteArgument_UnserializableArgument_ThrowsArgumentExceptionWithParamName()
    {
        Func<Action, int> fn = static a => 0;
        CallablePlan plan = CallablePlan.ForDelegate(fn, "fn");
        var buffer = new ArrayBufferWriter<byte>();

        var ex = Assert.Throws<ArgumentException>(() =>
        {
            var writer = new MessagePackWriter(buffer);
            TaskEnvelope.WriteArgument(ref writer, plan.ParameterTypes[0], (Action)Nothing, "arg");
        });

        Assert.Equal("arg", ex.ParamName);
        Assert.Contains(typeof(Action).FullName!, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WriteArgument_ValueOfDerivedType_IsWrittenAsTheDeclaredType()
    {
        Func<IReadOnlyList<int>, int> fn = static list => list.Sum();
        CallablePlan plan = CallablePlan.ForDelegate(fn, "fn");
        var frame = new OutgoingFrame();
        var writer = new MessagePackWriter(frame);
        TaskEnvelope.WriteCallable(ref writer, plan, fn.Target, 1, "fn");
        TaskEnvelope.WriteArgument<object>(ref writer, plan.ParameterTypes[0], new List<int> { 1, 2, 3 }, "arg");
        writer.Flush();

        (CallablePlan read, object? target, object?[] arguments) = TaskEnvelope.ReadCall(frame.Payload.ToArray(), _plans);

        Assert.Equal(6, read.Invoker.Invoke(target, arguments[0]));
        frame.ReleaseBuffer();
    }

    private static int Square(int x) => x * x;

    private static void Nothing()
    {
    }

    private static List<T> Wrap<T>(T item) => [item];

    private static Func<T, T[]> MakeDoubler<T>() => static x => [x, x];

    private static Func<T, T[]> MakePairer<T>(T first) => second => [first, second];

    private static byte[] Write(Delegate fn, params object?[] arguments)
    {
        CallablePlan plan = CallablePlan.ForDelegate(fn, nameof(fn));
        var frame = new OutgoingFrame();
        var writer = new MessagePackWriter(frame);
        TaskEnvelope.WriteCallable(ref writer, plan, fn.Target, arguments.Length, nameof(fn));
        for (int i = 0; i < arguments.Length; i++)
        {
            TaskEnvelope.WriteArgument(ref writer, plan.ParameterTypes[i], arguments[i], "arg");
        }

        writer.Flush();
        byte[] payload = frame.Payload.ToArray();
        frame.ReleaseBuffer();
        return payload;
    }

    private (CallablePlan Plan, object? Target, object?[] Arguments) RoundTrip(Delegate fn, params object?[] arguments) =>
        TaskEnvelope.ReadCall(Write(fn, arguments), _plans);

    public sealed record Point(int X, int Y);

    public sealed class Box<T>
    {
        public T? Content { get; set; }

        public T[] With(T other) => [Content!, other];
    }

    public sealed class Multiplier
    {
        public int Factor { get; set; }

        public int Apply(int x) => x * Factor;
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1000:Do not declare static members on generic types", Justification = "A static method of a generic class is the case under test.")]
    public static class Pairs<T>
    {
        public static T[] Twice(T item) => [item, item];
    }
}
