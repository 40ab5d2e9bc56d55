using System.Text.RegularExpressions;

namespace Executors.Tests.Testing.Guide;

/// <summary>
/// Keeps docs/testing.md and the package README honest: every code block marked
/// <c>&lt;!-- snippet: name --&gt;</c> there must be, line for line, the region <c>// snippet: name</c> …
/// <c>// end snippet</c> of <see cref="TestingGuideTests"/> (which compiles and runs), and every region
/// must be in the guide.
/// </summary>
public partial class TestingGuideSnippetsTests
{
    private const string GuidePath = "docs/testing.md";
    private const string PackageReadmePath = "src/Executors.Testing/README.md";
    private const string SourcePath = "tests/Executors.Tests/Testing/Guide/TestingGuideTests.cs";

    [Fact]
    public void Guide_EverySnippet_IsTheCompiledTestCode()
    {
        string root = FindRepositoryRoot();
        Dictionary<string, string> inGuide = GuideSnippets(File.ReadAllText(Path.Combine(root, GuidePath)));
        Dictionary<string, string> inSource = SourceSnippets(File.ReadAllText(Path.Combine(root, SourcePath)));

        Assert.NotEmpty(inSource);
        Assert.Equal(inSource.Keys.Order(), inGuide.Keys.Order());
        foreach ((string name, string code) in inSource)
        {
            Assert.True(code == inGuide[name], $"Snippet '{name}' in {GuidePath} differs from {SourcePath}:\n--- source\n{code}\n--- guide\n{inGuide[name]}");
        }
    }

    [Fact]
    public void PackageReadme_EverySnippet_IsTheCompiledTestCode()
    {
        string root = FindRepositoryRoot();
        Dictionary<string, string> inReadme = GuideSnippets(File.ReadAllText(Path.Combine(root, PackageReadmePath)));
        Dictionary<string, string> inSource = SourceSnippets(File.ReadAllText(Path.Combine(root, SourcePath)));

        Assert.NotEmpty(inReadme);
        foreach ((string name, string code) in inReadme)
        {
            Assert.True(inSource.TryGetValue(name, out string? source), $"Snippet '{name}' of {PackageReadmePath} is not in {SourcePath}.");
            Assert.True(code == source, $"Snippet '{name}' in {PackageReadmePath} differs from {SourcePath}:\n--- source\n{source}\n--- readme\n{code}");
        }
    }

    private static Dictionary<string, string> GuideSnippets(string markdown)
    {
        var snippets = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (Match match in GuideSnippet().Matches(markdown.ReplaceLineEndings("\n")))
        {
            snippets.Add(match.Groups["name"].Value, match.Groups["code"].Value.TrimEnd('\n'));
        }

        return snippets;
    }

    private static Dictionary<string, string> SourceSnippets(string source)
    {
        var snippets = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (Match match in SourceSnippet().Matches(source.ReplaceLineEndings("\n")))
        {
            string[] lines = match.Groups["code"].Value.TrimEnd('\n').Split('\n');
            int indent = lines.Where(l => l.Trim().Length > 0).Min(l => l.Length - l.TrimStart().Length);
            snippets.Add(match.Groups["name"].Value, string.Join('\n', lines.Select(l => l.Length >= indent ? l[indent..] : l.TrimStart())));
        }

        return snippets;
    }

    private static string FindRepositoryRoot()
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Executors.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Executors.sln above {AppContext.BaseDirectory}.");
    }

    [GeneratedRegex(@"<!-- snippet: (?<name>[\w-]+) -->\n```csharp\n(?<code>.*?)```", RegexOptions.Singleline)]
    private static partial Regex GuideSnippet();

    [GeneratedRegex(@"^[ \t]*// snippet: (?<name>[\w-]+)\n(?<code>.*?)^[ \t]*// end snippet", RegexOptions.Singleline | RegexOptions.Multiline)]
    private static partial Regex SourceSnippet();
}
