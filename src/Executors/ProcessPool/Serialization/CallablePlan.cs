using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace Executors.ProcessPool.Serialization;

/// <summary>
/// Everything needed to ship calls of one method: how its target travels, the declared types of its
/// parameters and result, and (parent side) its serialized <see cref="MethodReference"/> and an id the
/// worker caches it under. Built once per method in each process.
/// </summary>
internal sealed class CallablePlan
{
    private const string SingletonFieldName = "<>9";

    private static readonly ConcurrentDictionary<MethodInfo, CallablePlan> s_byMethod = new();
    private static int s_lastId;

    private MethodInvoker? _invoker;
    private object? _singleton;

    private CallablePlan(MethodInfo method, int id, byte[] methodReference)
    {
        Method = method;
        Id = id;
        MethodReference = methodReference;
        ParameterTypes = method.GetParameters().Select(p => p.ParameterType).ToArray();
        ReturnType = method.ReturnType;
        Type declaringType = method.DeclaringType!;
        if (method.IsStatic)
        {
            Kind = TargetKind.None;
        }
        else if (declaringType.IsDefined(typeof(CompilerGeneratedAttribute), inherit: false)
            && declaringType.GetField(SingletonFieldName, BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic) is { } singleton)
        {
            Kind = TargetKind.Singleton;
            SingletonField = singleton;
        }
        else if (ClosureShape.IsClosureType(declaringType))
        {
            Kind = TargetKind.Closure;
            Closure = ClosureShape.For(declaringType);
        }
        else
        {
            Kind = TargetKind.Object;
        }
    }

    /// <summary>Gets the id the worker caches this plan under (parent-assigned, unique in the parent process).</summary>
    public int Id { get; }

    public MethodInfo Method { get; }

    /// <summary>Gets the serialized <see cref="Serialization.MethodReference"/> (parent side only; empty in the worker).</summary>
    public byte[] MethodReference { get; }

    public TargetKind Kind { get; }

    public ClosureShape? Closure { get; }

    public FieldInfo? SingletonField { get; }

    /// <summary>Gets the compiler's singleton target of a non-capturing lambda, read once (worker side).</summary>
    public object? SingletonTarget => _singleton ??= SingletonField?.GetValue(null);

    public Type[] ParameterTypes { get; }

    /// <summary>Gets the declared result type; <see cref="void"/> for actions.</summary>
    public Type ReturnType { get; }

    /// <summary>Gets a fast invoker (worker side).</summary>
    public MethodInvoker Invoker => _invoker ??= MethodInvoker.Create(Method);

    /// <summary>Gets the plan for <paramref name="fn"/>'s method, validating that it can be shipped.</summary>
    /// <param name="fn">The delegate.</param>
    /// <param name="paramName">The caller's parameter name, for the exception.</param>
    /// <exception cref="ArgumentException">The delegate cannot be shipped to a worker process; the message says why.</exception>
    public static CallablePlan ForDelegate(Delegate fn, string paramName)
    {
        if (!fn.HasSingleTarget)
        {
            throw new ArgumentException("A multicast delegate cannot be shipped to a worker process; submit each callable separately.", paramName);
        }

        MethodInfo method = fn.Method;
        if (!s_byMethod.TryGetValue(method, out CallablePlan? plan))
        {
            plan = s_byMethod.GetOrAdd(method, static (m, name) => Create(m, name), paramName);
        }

        if (plan.Method.IsStatic && fn.Target is not null)
        {
            throw new ArgumentException(
                $"'{method.Name}' is a static method bound to a first argument (a closed static delegate); wrap the call in a lambda instead.",
                paramName);
        }

        if (plan.Kind == TargetKind.Object && fn.Target is { } target && target.GetType() != method.DeclaringType)
        {
            throw new ArgumentException(
                $"The callable's target is a '{target.GetType()}' but its method is declared on '{method.DeclaringType}'; the worker would rebuild a '{method.DeclaringType}'. Submit a lambda that calls the method instead.",
                paramName);
        }

        return plan;
    }

    /// <summary>Builds the worker-side plan of a resolved method.</summary>
    public static CallablePlan ForResolvedMethod(MethodInfo method) => new(method, id: 0, methodReference: []);

    private static CallablePlan Create(MethodInfo method, string paramName)
    {
        try
        {
            Type returnType = method.ReturnType;
            if (typeof(Task).IsAssignableFrom(returnType) || returnType == typeof(ValueTask)
                || (returnType.IsGenericType && returnType.GetGenericTypeDefinition() == typeof(ValueTask<>)))
            {
                throw new NotSupportedException(
                    $"'{method.Name}' is asynchronous (it returns {returnType.Name}); a worker process runs synchronous callables. Make it synchronous, or block on the task inside it.");
            }

            foreach (ParameterInfo parameter in method.GetParameters())
            {
                if (parameter.ParameterType.IsByRef || parameter.ParameterType.IsPointer)
                {
                    throw new NotSupportedException($"The parameter '{parameter.Name}' of '{method.Name}' is passed by reference or by pointer.");
                }
            }

            byte[] reference = Serialization.MethodReference.Serialize(method);
            return new CallablePlan(method, Interlocked.Increment(ref s_lastId), reference);
        }
        catch (NotSupportedException ex)
        {
            throw new ArgumentException($"The callable cannot be shipped to a worker process: {ex.Message}", paramName, ex);
        }
    }
}
