"""背街小巷 work orders (工单): report, dispatch, complete, follow up; quantities and rates."""
