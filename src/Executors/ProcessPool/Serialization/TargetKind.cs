namespace Executors.ProcessPool.Serialization;

/// <summary>How a callable's target object travels to the worker. Part of the wire protocol.</summary>
internal enum TargetKind
{
    /// <summary>A static method: no target.</summary>
    None = 0,

    /// <summary>A lambda that captures nothing: the compiler's singleton (<c>&lt;&gt;c.&lt;&gt;9</c>), which the worker reads from the same static field.</summary>
    Singleton = 1,

    /// <summary>A lambda that captures variables: the compiler's closure object, shipped field by field.</summary>
    Closure = 2,

    /// <summary>An instance method of an ordinary object, shipped as the method's declaring type.</summary>
    Object = 3,
}
