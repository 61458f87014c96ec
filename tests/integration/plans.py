"""What a query plan does, for tests that check a list is read through an index."""


def stages(explained: dict) -> list[str]:
    """The winning plan's stages, outermost first, each with the index it reads."""
    node, found = explained["queryPlanner"]["winningPlan"], []
    node = node.get("queryPlan", node)
    while node:
        found.append(node["stage"] + (f"({node['indexName']})" if "indexName" in node else ""))
        node = node.get("inputStage") or (node.get("inputStages") or [None])[0]
    return found
